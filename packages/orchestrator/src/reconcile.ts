import type { OrchestratorContext } from "./context";
import { AGGREGATE_QUEUE, aggregateJobId } from "./queues";
import { enqueueJob } from "./submit";

export type ReconcileReport = { checked: number; enqueued: string[] };

/**
 * Postgres is the truth, Redis is rebuildable: every unfinished job older than `graceMs`
 * whose aggregate job Redis does not hold (never enqueued, or Redis lost its data) is
 * enqueued again. Enqueue is idempotent, so a job that is merely slow is left alone.
 */
export async function reconcileJobs(ctx: OrchestratorContext, options: { graceMs?: number; limit?: number } = {}): Promise<ReconcileReport> {
  const before = new Date(Date.now() - (options.graceMs ?? 5_000));
  const jobs = await ctx.db.job.findMany({
    where: { status: { in: ["queued", "running"] }, createdAt: { lt: before } },
    select: { id: true },
    orderBy: { createdAt: "asc" },
    take: options.limit ?? 500,
  });
  const aggregate = ctx.queue(AGGREGATE_QUEUE);
  const enqueued: string[] = [];
  for (const job of jobs) {
    const inRedis = await aggregate.getJob(aggregateJobId(job.id));
    if (inRedis) continue;
    await enqueueJob(ctx, job.id);
    enqueued.push(job.id);
  }
  return { checked: jobs.length, enqueued };
}
