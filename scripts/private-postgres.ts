// A throwaway Postgres server of our own (initdb + pg_ctl into a temp dir, on a free port), for
// faults that stop the database: the shared server other engineers and tests use is never touched.
import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { freePort } from "./stack.mjs";

export type PrivatePostgres = {
  /** Admin URL (database `postgres`). */
  url: string;
  port: number;
  stop(): void;
  start(): void;
  /** Stops the server for good and removes its files. */
  destroy(): void;
};

function binDir(): string {
  const fromEnv = process.env.DOCGATE_PG_BIN;
  if (fromEnv) return fromEnv;
  const root = "/usr/lib/postgresql";
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(path.join(root, v, "bin/pg_ctl"))).sort((a, b) => Number(b) - Number(a)) : [];
  if (!versions[0]) throw new Error("No Postgres server binaries found (set DOCGATE_PG_BIN to the folder holding initdb and pg_ctl).");
  return path.join(root, versions[0], "bin");
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = binDir();
  const port = await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), "docgate-pg-"));
  const data = path.join(dir, "data");
  // initdb refuses to run as root: run the server binaries as the postgres user then.
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    chmodSync(dir, 0o777);
  }
  const exec = (tool: string, args: string[]) =>
    execFileSync(asRoot ? "runuser" : path.join(bin, tool), asRoot ? ["-u", "postgres", "--", path.join(bin, tool), ...args] : args, { stdio: "pipe", cwd: dir });
  exec("initdb", ["-D", data, "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8"]);
  const options = [
    `-p ${port}`, "-c listen_addresses=127.0.0.1", `-k ${dir}`, "-c fsync=off", "-c synchronous_commit=off",
    "-c full_page_writes=off", "-c max_connections=200",
  ].join(" ");
  const start = () => exec("pg_ctl", ["-D", data, "-l", path.join(dir, "server.log"), "-o", options, "-w", "-t", "60", "start"]);
  const stop = () => exec("pg_ctl", ["-D", data, "-m", "fast", "-w", "-t", "60", "stop"]);
  start();
  return {
    url: `postgresql://postgres@127.0.0.1:${port}/postgres`,
    port,
    start,
    stop,
    destroy() {
      try {
        exec("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]);
      } catch {
        // already stopped
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
