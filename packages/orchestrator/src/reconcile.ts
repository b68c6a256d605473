import { aggregateJob } from "./aggregate";
import type { OrchestratorContext } from "./context";
import { AGGREGATE_QUEUE, aggregateJobId, serviceQueueName, taskJobId } from "./queues";
import { enqueueJob } from "./submit";

/**
 * A queue entry that will never move the work on, for work Postgres says is unfinished: Redis
 * no longer holds it, holds only a hash in no state list (half-wiped), or holds it as already
 * finished (completed or failed): a half-wiped hash loses its payload and fails as malformed,
 * and a re-enqueue that meets such an entry is ignored by BullMQ, as its id is taken.
 */
async function lost(job: { getState(): Promise<string> } | undefined | null): Promise<boolean> {
  if (!job) return true;
  const state = await job.getState().catch(() => "unknown");
  return state === "unknown" || state === "completed" || state === "failed";
}

export type ReconcileReport = { checked: number; enqueued: string[]; closed: string[] };

/**
 * Postgres is the truth, Redis is rebuildable. For every unfinished job older than `graceMs`:
 * - all its tasks are final but nothing closed the job (its parent was lost): close it here;
 * - Redis lacks the aggregate job, or any unfinished task's queue job (Redis lost data, or a
 *   flow was half-written when it did): drop what is left of the flow and enqueue it again.
 * A job whose queue entries are all present is merely slow and is left alone.
 */
export async function reconcileJobs(ctx: OrchestratorContext, options: { graceMs?: number; limit?: number } = {}): Promise<ReconcileReport> {
  const before = new Date(Date.now() - (options.graceMs ?? 5_000));
  const jobs = await ctx.db.job.findMany({
    where: { status: { in: ["queued", "running"] }, createdAt: { lt: before } },
    select: { id: true, tasks: { select: { id: true, service: true, status: true } } },
    orderBy: { createdAt: "asc" },
    take: options.limit ?? 500,
  });
  const aggregate = ctx.queue(AGGREGATE_QUEUE);
  const report: ReconcileReport = { checked: jobs.length, enqueued: [], closed: [] };
  for (const job of jobs) {
    const open = job.tasks.filter((t) => t.status === "queued" || t.status === "running");
    const parent = await aggregate.getJob(aggregateJobId(job.id));
    if (open.length === 0) {
      // Closing is idempotent, so racing the aggregator is harmless; waiting on a parent that
      // Redis half-lost (a job hash in no state list) would never end.
      await aggregateJob(ctx, job.id);
      await parent?.remove({ removeChildren: true }).catch(() => {});
      report.closed.push(job.id);
      continue;
    }
    const entries = await Promise.all(open.map((t) => ctx.queue(serviceQueueName(t.service)).getJob(taskJobId(t.id))));
    const missing = await Promise.all(entries.map(lost));
    if (parent && !(await lost(parent)) && !missing.some(Boolean)) continue;
    // A task that finished between our read of Postgres and our look at Redis is progress, not loss.
    const suspects = open.filter((_, i) => missing[i]).map((t) => t.id);
    const stillOpen = await ctx.db.jobTask.count({ where: { id: { in: suspects }, status: { in: ["queued", "running"] } } });
    if (stillOpen < suspects.length) continue;
    // A half-wiped entry keeps its id taken: BullMQ would ignore the re-enqueue. Drop it first.
    await Promise.all(entries.map((entry, i) => (missing[i] && entry ? entry.remove().catch(() => {}) : undefined)));
    if (parent) await parent.remove({ removeChildren: true }).catch(() => {});
    await enqueueJob(ctx, job.id);
    report.enqueued.push(job.id);
  }
  return report;
}
