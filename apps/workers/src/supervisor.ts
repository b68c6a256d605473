import { fork, type ChildProcess } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const WORKER_ENTRY = path.join(here, "worker-process.ts");

type Replica = { service: string; index: number; child: ChildProcess | null; restarts: number; timer?: NodeJS.Timeout };

/**
 * Keeps `replicas` worker processes running per service and restarts one that dies
 * (with a growing delay, so a crash loop does not spin).
 */
export class Supervisor {
  private readonly replicas: Replica[] = [];
  private stopping = false;

  constructor(private readonly log: (line: string) => void) {}

  run(service: string, count: number) {
    for (let index = 0; index < count; index++) {
      const replica: Replica = { service, index, child: null, restarts: 0 };
      this.replicas.push(replica);
      this.spawn(replica);
    }
  }

  private spawn(replica: Replica) {
    const child = fork(WORKER_ENTRY, [replica.service], {
      execArgv: ["--import", "tsx"],
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    replica.child = child;
    child.on("exit", (code, signal) => {
      replica.child = null;
      if (this.stopping) return;
      const delay = Math.min(500 * 2 ** replica.restarts, 15_000);
      replica.restarts++;
      this.log(`[supervisor] ${replica.service}#${replica.index} exited (${signal ?? code}); restarting in ${delay} ms`);
      replica.timer = setTimeout(() => this.spawn(replica), delay);
    });
  }

  /** Asks every worker to finish its current tasks, then kills what is left after `graceMs`. */
  async stop(graceMs = 10_000): Promise<void> {
    this.stopping = true;
    const exits = this.replicas.map((replica) => {
      clearTimeout(replica.timer);
      const child = replica.child;
      if (!child || child.exitCode !== null) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const kill = setTimeout(() => child.kill("SIGKILL"), graceMs);
        child.once("exit", () => {
          clearTimeout(kill);
          resolve();
        });
        child.kill("SIGTERM");
      });
    });
    await Promise.all(exits);
  }
}
