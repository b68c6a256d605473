import { Worker } from "node:worker_threads";

/**
 * Runs user-written regular expressions where a catastrophic one cannot hurt: in a worker
 * thread, one expression at a time, each with a time limit. JavaScript's backtracking engine
 * can need exponential (`(a+)+$`) or high polynomial (`\w*\w*\w*x`, measured: minutes on
 * 20,000 characters) time, and a static "safe regex" check misses the polynomial cases. A
 * regex that overruns is abandoned by terminating the thread (a fresh one starts for the next
 * expression) and reported as timed out, so a bad rule costs at most the limit.
 */
const WORKER_SOURCE = `
const { parentPort } = require("node:worker_threads");
parentPort.on("message", ({ id, source, flags, text }) => {
  try {
    const m = new RegExp(source, flags).exec(text);
    parentPort.postMessage({ id, match: m ? m[0].slice(0, 200) : null });
  } catch (error) {
    parentPort.postMessage({ id, error: String(error && error.message || error) });
  }
});
`;

export type RegexOutcome = { match: string | null } | { timedOut: true } | { error: string };

export class RegexRunner {
  private worker: Worker | null = null;
  private nextId = 0;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly timeLimitMs = 100) {}

  /** The first match of `source` in `text` (null when none), or why there is no answer. */
  exec(source: string, flags: string, text: string): Promise<RegexOutcome> {
    const run = this.queue.then(() => this.execNow(source, flags, text));
    this.queue = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    await worker?.terminate();
  }

  private execNow(source: string, flags: string, text: string): Promise<RegexOutcome> {
    const worker = this.start();
    const id = this.nextId++;
    return new Promise<RegexOutcome>((resolve) => {
      const done = (outcome: RegexOutcome) => {
        clearTimeout(timer);
        worker.off("message", onMessage);
        worker.off("error", onFailure);
        worker.off("exit", onFailure);
        resolve(outcome);
      };
      const onMessage = (msg: { id: number; match?: string | null; error?: string }) => {
        if (msg.id !== id) return;
        done(msg.error !== undefined ? { error: msg.error } : { match: msg.match ?? null });
      };
      const onFailure = () => {
        this.drop(worker);
        done({ error: "the regular expression worker stopped" });
      };
      const timer = setTimeout(() => {
        this.drop(worker);
        done({ timedOut: true });
      }, this.timeLimitMs);
      worker.on("message", onMessage);
      worker.on("error", onFailure);
      worker.on("exit", onFailure);
      worker.postMessage({ id, source, flags, text });
    });
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(WORKER_SOURCE, { eval: true, resourceLimits: { maxOldGenerationSizeMb: 64 } });
    worker.unref(); // an idle runner must not keep the host process alive
    worker.on("error", () => this.drop(worker)); // never an unhandled 'error' event
    this.worker = worker;
    return worker;
  }

  private drop(worker: Worker): void {
    if (this.worker === worker) this.worker = null;
    void worker.terminate().catch(() => undefined);
  }
}

let shared: RegexRunner | null = null;
export function sharedRegexRunner(): RegexRunner {
  shared ??= new RegexRunner();
  return shared;
}
