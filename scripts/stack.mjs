// Boots a whole Docgate (fresh database and Redis prefix, built web app, workers) on a free
// port, for the browser tests and the benchmarks. stop() tears everything down.
import { execSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import { bin, root, run, startChild, stopChild, waitForHttp } from "./lib.mjs";
import { deleteRedisPrefix } from "./redis-prefix.mjs";

export async function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * `adminUrl`: the Postgres server to create the database on (default: DOCGATE_TEST_PG_URL or the
 * local one). The returned `web` is the current web process (restartWeb() replaces it).
 */
export async function startStack({ name = "stack", verbose = false, extraEnv = {}, adminUrl = "" } = {}) {
  const id = randomBytes(4).toString("hex");
  const dbName = `docgate_${name}_${id}`;
  const admin = adminUrl || process.env.DOCGATE_TEST_PG_URL || "postgresql://postgres@127.0.0.1:5432/postgres";
  const url = new URL(admin);
  url.pathname = `/${dbName}`;
  const port = await freePort();
  const env = {
    DATABASE_URL: url.toString(),
    DOCGATE_REDIS_PREFIX: `dg${name}-${id}`,
    PORT: String(port),
    DOCGATE_ADMIN_EMAIL: `admin@${name}.local`,
    DOCGATE_ADMIN_PASSWORD: `${name}-${randomBytes(8).toString("hex")}`,
    DOCGATE_BOOTSTRAP_API_KEY: `dg_${name}_${randomBytes(16).toString("hex")}`,
    BETTER_AUTH_SECRET: randomBytes(24).toString("hex"),
    NODE_ENV: "production",
    // Share the trained default models with the integration tests: CI trains them once per run.
    DOCGATE_CACHE_DIR: process.env.DOCGATE_CACHE_DIR || path.join(os.tmpdir(), "docgate-test-cache"),
    ...extraEnv,
  };
  run(bin("tsx"), ["scripts/e2e-db.ts", "create", env.DATABASE_URL]);
  run("npm", ["run", "-s", "db:seed"], { env });
  run(bin("turbo"), ["run", "build", "--output-logs=errors-only"]);

  const startWeb = () => startChild("web", process.execPath, ["server.mjs", "-p", String(port), "-H", "127.0.0.1"], { cwd: path.join(root, "apps/web"), env, quiet: !verbose });
  let web = startWeb();
  const workers = startChild("workers", process.execPath, ["--import", "tsx", "apps/workers/src/main.ts"], { env, quiet: !verbose });
  const baseUrl = `http://127.0.0.1:${port}`;
  const stop = async () => {
    await Promise.all([stopChild(web), stopChild(workers)]);
    run(bin("tsx"), ["scripts/e2e-db.ts", "drop", dbName], { allowFailure: true, env: { DOCGATE_TEST_PG_URL: admin } });
    // Leave a shared Redis as we found it: every key of this Docgate's prefix goes.
    await deleteRedisPrefix(env.REDIS_URL || process.env.REDIS_URL || "redis://127.0.0.1:6379", env.DOCGATE_REDIS_PREFIX).catch((error) =>
      console.error(`[stack] Redis keys under ${env.DOCGATE_REDIS_PREFIX} were left behind: ${error.message}`));
  };
  const descendants = (pid) => {
    const children = execSync(`ps -o pid= --ppid ${pid} || true`).toString().split(/\s+/).filter(Boolean).map(Number);
    return children.flatMap((child) => [...descendants(child), child]);
  };
  /**
   * A restart as a deploy does it: SIGTERM (in-flight requests finish), then a new process on the
   * same port. With `{ crash: true }`: kill -9 of the process and its children instead, as a crash.
   */
  const restartWeb = async ({ crash = false } = {}) => {
    if (crash) {
      const exited = new Promise((resolve) => (web.exitCode !== null || web.signalCode !== null ? resolve() : web.once("exit", resolve)));
      for (const pid of [...descendants(web.pid), web.pid]) {
        try {
          process.kill(pid, "SIGKILL");
        } catch {
          // already gone
        }
      }
      await exited;
    } else {
      await stopChild(web);
    }
    web = startWeb();
    await waitForHttp(`${baseUrl}/api/health`, { timeoutMs: 60_000, ok: (r) => r.status === 200 });
  };
  try {
    await waitForHttp(`${baseUrl}/api/health`, { timeoutMs: 180_000, ok: (r) => r.status === 200 });
    // Both built-in services must have a live instance before anything is measured.
    const deadline = Date.now() + 240_000;
    for (;;) {
      const health = await (await fetch(`${baseUrl}/api/health`)).json();
      if (health.services?.filter((s) => s.status === "up").length >= 2) break;
      if (Date.now() > deadline) throw new Error("workers did not register in time");
      await new Promise((r) => setTimeout(r, 250));
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    baseUrl, env, workers, stop, restartWeb,
    get web() {
      return web;
    },
  };
}
