import type { Db } from "@docgate/db";
import type { JobEvent, JobEventHub } from "./events";
import { getJobView, isFinalJobStatus, type JobView } from "./job-view";

type FinishedEvent = Extract<JobEvent, { type: "job.finished" }>;

type WaitOptions = {
  timeoutMs: number;
  pollMs?: number;
  signal?: AbortSignal;
  /**
   * Listening since before the job's tasks were enqueued (JobListener.open with the id the
   * intake was given): when Redis confirmed it, nothing can have finished unheard, so the wait
   * starts by listening instead of looking. The wait closes it.
   */
  listener?: JobListener;
};

/**
 * One job's `job.finished`, listened for on Redis: kept once heard, and wakes whoever sleeps on
 * the listener. `confirmed` is false when Redis did not confirm the subscription in time (or
 * there is no Redis): then only looking at Postgres can tell.
 */
export class JobListener {
  private heardCount = 0;
  private lastFinished: FinishedEvent | null = null;
  private isConfirmed = false;
  private wake: () => void = () => {};
  private stop: () => void = () => {};

  static async open(hub: JobEventHub | null, jobId: string): Promise<JobListener> {
    const listener = new JobListener();
    if (hub) {
      const { stop, confirmed } = await hub.listen(jobId, (event) => listener.hear(event));
      listener.stop = stop;
      listener.isConfirmed = confirmed;
    }
    return listener;
  }

  /** How many `job.finished` events were heard (a look compares it before and after). */
  get heard(): number {
    return this.heardCount;
  }

  /** The last `job.finished` heard, if any. */
  get finished(): FinishedEvent | null {
    return this.lastFinished;
  }

  /** Redis confirmed the subscription in time. */
  get confirmed(): boolean {
    return this.isConfirmed;
  }

  private hear(event: JobEvent): void {
    if (event.type !== "job.finished") return;
    this.heardCount++;
    this.lastFinished = event;
    this.wake();
  }

  /** Until `ms` pass, a `job.finished` arrives or `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", done); // a long wait sleeps many times on one signal
        this.wake = () => {};
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
      signal?.addEventListener("abort", done, { once: true });
    });
  }

  close(): void {
    this.stop();
  }
}

/**
 * Resolves true when the job reaches a final status within `timeoutMs`. Woken by Redis
 * events; also re-reads Postgres every `pollMs`, so a missed event only costs latency.
 */
export async function waitForJob(db: Db, hub: JobEventHub | null, jobId: string, options: WaitOptions): Promise<boolean> {
  const result = await watchJob(hub, jobId, options, async () => {
    const job = await db.job.findUnique({ where: { id: jobId }, select: { status: true } });
    return job ? { final: isFinalJobStatus(job.status), value: true } : null;
  });
  return result?.final ?? false;
}

/**
 * Waits like waitForJob, but each look reads the whole job view (one statement), so the
 * answer costs no extra read once the job is final; and when `job.finished` brings the final
 * view (the task runner sends it), that is the answer, with no read at all. Null when the job
 * does not exist.
 */
export async function waitForJobView(
  db: Db,
  hub: JobEventHub | null,
  jobId: string,
  options: WaitOptions,
): Promise<{ view: JobView; finished: boolean } | null> {
  const result = await watchJob(hub, jobId, options, async () => {
    const view = await getJobView(db, jobId);
    return view ? { final: isFinalJobStatus(view.status), value: view } : null;
  }, (event) => (event.view ? { final: true, value: event.view } : null));
  return result ? { view: result.value, finished: result.final } : null;
}

/**
 * Looks until the job is final, the deadline passes or the caller goes away; null when it does
 * not exist. A `job.finished` event wakes it early; otherwise it looks again every `pollMs`.
 * `fromEvent` may answer from the event itself (it carries the final view), skipping the look.
 */
export async function watchJob<T>(
  hub: JobEventHub | null,
  jobId: string,
  options: WaitOptions,
  look: () => Promise<{ final: boolean; value: T } | null>,
  fromEvent?: (event: FinishedEvent) => { final: boolean; value: T } | null,
): Promise<{ final: boolean; value: T } | null> {
  const deadline = Date.now() + options.timeoutMs;
  const listener = options.listener ?? (await JobListener.open(hub, jobId));
  // Without an early, confirmed listener the job may have finished before we listened.
  let mustLook = !(options.listener?.confirmed ?? false);
  try {
    for (;;) {
      const answered = listener.finished && fromEvent?.(listener.finished);
      if (answered) return answered;
      if (mustLook || deadline <= Date.now() || options.signal?.aborted) {
        // An event can arrive while a look is in flight: then the look may be stale, and the
        // loop goes round again instead of sleeping through it.
        const heardBefore = listener.heard;
        const seen = await look();
        if (!seen || seen.final) return seen;
        if (deadline <= Date.now() || options.signal?.aborted) return seen;
        if (listener.heard !== heardBefore) continue;
      }
      mustLook = true;
      await listener.sleep(Math.min(deadline - Date.now(), options.pollMs ?? 1_000), options.signal);
    }
  } finally {
    listener.close();
  }
}
