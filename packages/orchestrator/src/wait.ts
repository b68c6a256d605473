import type { Db } from "@docgate/db";
import type { JobEventHub } from "./events";
import { isFinalJobStatus } from "./job-view";

/**
 * Resolves true when the job reaches a final status within `timeoutMs`. Woken by Redis
 * events; also re-reads Postgres every `pollMs`, so a missed event only costs latency.
 */
export async function waitForJob(
  db: Db,
  hub: JobEventHub | null,
  jobId: string,
  options: { timeoutMs: number; pollMs?: number; signal?: AbortSignal },
): Promise<boolean> {
  const deadline = Date.now() + options.timeoutMs;
  let wake: () => void = () => {};
  const unsubscribe = hub
    ? await hub.subscribe(jobId, (event) => {
        if (event.type === "job.finished") wake();
      })
    : () => {};
  try {
    for (;;) {
      const job = await db.job.findUnique({ where: { id: jobId }, select: { status: true } });
      if (!job) return false;
      if (isFinalJobStatus(job.status)) return true;
      const left = deadline - Date.now();
      if (left <= 0 || options.signal?.aborted) return false;
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
