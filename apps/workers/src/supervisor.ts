import { fork, type ChildProcess } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const WORKER_ENTRY = path.join(here, "worker-process.ts");

type Replica = {
  service: string;
  index: number;
  child: ChildProcess | null;
  restarts: number;
  timer?: NodeJS.Timeout;
  /** Scaled down: stop it and do not restart it. */
  retired: boolean;
};

/**
 * Keeps `replicas` worker processes running per service and restarts one that dies
 * (with a growing delay, so a crash loop does not spin). `scale` changes the count live.
 */
export class Supervisor {
  private readonly replicas: Replica[] = [];
  private stopping = false;

  constructor(private readonly log: (line: string) => void) {}

  run(service: string, count: number) {
    this.scale(service, count);
  }

  /** The worker processes of `service` on this host (pids of the running ones). */
  pids(service: string): number[] {
    return this.replicas.filter((r) => r.service === service && !r.retired && r.child?.pid).map((r) => r.child!.pid!);
  }

  count(service: string): number {
    return this.replicas.filter((r) => r.service === service && !r.retired).length;
  }

  /** Starts or stops worker processes until `service` has `count` of them. */
  scale(service: string, count: number) {
    if (this.stopping) return;
    const live = this.replicas.filter((r) => r.service === service && !r.retired);
    if (live.length === count) return;
    if (live.length < count) {
      for (let index = live.length; index < count; index++) {
        const replica: Replica = { service, index, child: null, restarts: 0, retired: false };
        this.replicas.push(replica);
        this.spawn(replica);
      }
    } else {
      for (const replica of live.slice(count)) void this.retire(replica);
    }
    this.log(`[supervisor] ${service}: ${live.length} → ${count} worker process(es)`);
  }

  private spawn(replica: Replica) {
    const child = fork(WORKER_ENTRY, [replica.service], {
      execArgv: ["--import", "tsx"],
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    replica.child = child;
    child.on("exit", (code, signal) => {
      replica.child = null;
      if (this.stopping || replica.retired) return;
      const delay = Math.min(500 * 2 ** replica.restarts, 15_000);
      replica.restarts++;
      this.log(`[supervisor] ${replica.service}#${replica.index} exited (${signal ?? code}); restarting in ${delay} ms`);
      replica.timer = setTimeout(() => this.spawn(replica), delay);
    });
  }

  /** Asks one worker to finish its current tasks, then kills it after `graceMs`. */
  private retire(replica: Replica, graceMs = 10_000): Promise<void> {
    replica.retired = true;
    clearTimeout(replica.timer);
    const child = replica.child;
    const done = () => {
      const at = this.replicas.indexOf(replica);
      if (at >= 0) this.replicas.splice(at, 1);
    };
    if (!child || child.exitCode !== null || child.signalCode !== null) {
      done();
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      const kill = setTimeout(() => child.kill("SIGKILL"), graceMs);
      child.once("exit", () => {
        clearTimeout(kill);
        done();
        resolve();
      });
      child.kill("SIGTERM");
    });
  }

  /** Asks every worker to finish its current tasks, then kills what is left after `graceMs`. */
  async stop(graceMs = 10_000): Promise<void> {
    this.stopping = true;
    await Promise.all([...this.replicas].map((replica) => this.retire(replica, graceMs)));
  }
}
