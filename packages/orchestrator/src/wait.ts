import type { Db } from "@docgate/db";
import type { JobEvent, JobEventHub } from "./events";
import { getJobView, isFinalJobStatus, type JobView } from "./job-view";

type WaitOptions = { timeoutMs: number; pollMs?: number; signal?: AbortSignal };

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
  fromEvent?: (event: Extract<JobEvent, { type: "job.finished" }>) => { final: boolean; value: T } | null,
): Promise<{ final: boolean; value: T } | null> {
  const deadline = Date.now() + options.timeoutMs;
  // An event can arrive while a look is in flight: it is remembered, so the next wait does not
  // sleep through it (it used to: such answers came a whole poll interval late).
  let finishedEvent = false;
  let answered: { final: boolean; value: T } | null = null;
  let wake: () => void = () => {};
  const unsubscribe = hub
    ? await hub.subscribe(jobId, (event) => {
        if (event.type !== "job.finished") return;
        finishedEvent = true;
        answered = fromEvent?.(event) ?? null;
        wake();
      })
    : () => {};
  try {
    for (;;) {
      if (answered) return answered;
      finishedEvent = false;
      const seen = await look();
      if (!seen || seen.final) return seen;
      const left = deadline - Date.now();
      if (left <= 0 || options.signal?.aborted) return seen;
      if (finishedEvent) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, options.pollMs ?? 1_000));
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
        options.signal?.addEventListener("abort", wake, { once: true });
      });
    }
  } finally {
    unsubscribe();
  }
}
