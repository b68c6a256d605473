import { closeSettledJob } from "./aggregate";
import type { OrchestratorContext } from "./context";
import { TaskPayloadSchema, serviceQueueName, taskJobId } from "./queues";
import { enqueueJob } from "./submit";
import { failLostTask } from "./tasks";

type QueueEntry = { data: unknown; failedReason?: string; finishedOn?: number; getState(): Promise<string> };

/** The entry's BullMQ state; "missing" when Redis no longer holds it, "unknown" for a hash in no state list. */
async function stateOf(entry: QueueEntry | undefined | null): Promise<string> {
  return entry ? entry.getState().catch(() => "unknown") : "missing";
}

/**
 * The queue gave up on this run of the task without its result being written (it stalled past
 * BullMQ's limit, say, because the document keeps killing the worker): running it again would
 * loop. Not a verdict on the task: an entry whose payload is gone (a half-wiped hash), or one
 * that failed before this run started (a retried task whose old entry is still there).
 */
function gaveUp(entry: QueueEntry | undefined | null, state: string, task: { startedAt: Date | null }): string | null {
  if (!entry || state !== "failed" || !TaskPayloadSchema.safeParse(entry.data).success) return null;
  if (!task.startedAt || !entry.finishedOn || entry.finishedOn < task.startedAt.getTime()) return null;
  return `The queue gave up on the task: ${entry.failedReason || "no reason given"}.`;
}

/**
 * A queue entry that will never move the work on, for a task Postgres says is unfinished: Redis
 * no longer holds it, holds only a hash in no state list (half-wiped), or holds it as already
 * finished (completed or failed) without the task's write: a half-wiped hash loses its payload
 * and fails as malformed, and a re-enqueue that meets such an entry is ignored by BullMQ, as its
 * id is taken.
 */
const LOST_STATES = new Set(["missing", "unknown", "completed", "failed"]);

/** Where a round stopped: the next round looks at the open jobs created after this one. */
export type ReconcileCursor = { createdAt: Date; id: string };

export type ReconcileReport = {
  checked: number;
  enqueued: string[];
  closed: string[];
  failed: string[];
  /** Where the next round goes on from; null when this round reached the newest open job (start again from the oldest). */
  next: ReconcileCursor | null;
};

/**
 * Postgres is the truth, Redis is rebuildable. For every unfinished job older than `graceMs`:
 * - all its tasks are final but the job is open (nothing should leave it so; a backstop): close it
 *   (only if they still are, under the job lock: a retry may have reopened them since our read);
 * - the queue gave up on an unfinished task (see gaveUp): fail it as lost, which closes the job
 *   when it was the last one open;
 * - Redis lacks the queue entry of an unfinished task (Redis lost data, or an enqueue was cut
 *   off half way): drop what is left of the entries and enqueue the job again.
 * A job whose queue entries are all present is merely slow and is left alone.
 * A round looks at `limit` jobs, oldest first, from `after` (the previous round's `next`): a
 * backlog of slow jobs older than a lost one (a paused service's, say) must not hide it for good.
 */
export async function reconcileJobs(
  ctx: OrchestratorContext,
  options: { graceMs?: number; limit?: number; after?: ReconcileCursor | null } = {},
): Promise<ReconcileReport> {
  const before = new Date(Date.now() - (options.graceMs ?? 5_000));
  const limit = options.limit ?? 500;
  const after = options.after;
  const jobs = await ctx.db.job.findMany({
    where: {
      status: { in: ["queued", "running"] },
      createdAt: { lt: before },
      ...(after ? { OR: [{ createdAt: { gt: after.createdAt } }, { createdAt: after.createdAt, id: { gt: after.id } }] } : {}),
    },
    select: { id: true, createdAt: true, tasks: { select: { id: true, service: true, status: true, startedAt: true } } },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    take: limit,
  });
  const last = jobs.at(-1);
  const next = jobs.length === limit && last ? { createdAt: last.createdAt, id: last.id } : null;
  const report: ReconcileReport = { checked: jobs.length, enqueued: [], closed: [], failed: [], next };
  for (const job of jobs) {
    const open = job.tasks.filter((t) => t.status === "queued" || t.status === "running");
    if (open.length === 0) {
      if (await closeSettledJob(ctx, job.id)) report.closed.push(job.id);
      continue;
    }
    const entries = await Promise.all(open.map((t) => ctx.queue(serviceQueueName(t.service)).getJob(taskJobId(t.id))));
    const states = await Promise.all(entries.map(stateOf));
    const givenUp = entries.map((entry, i) => gaveUp(entry, states[i]!, open[i]!));
    if (givenUp.some(Boolean)) {
      for (const [i, reason] of givenUp.entries()) {
        if (reason) await failLostTask(ctx, { jobId: job.id, taskId: open[i]!.id, service: open[i]!.service }, reason);
      }
      report.failed.push(job.id);
      continue; // its other open tasks, if any, are looked at next round
    }
    const missing = states.map((state) => LOST_STATES.has(state));
    if (!missing.some(Boolean)) continue;
    // A task that finished between our read of Postgres and our look at Redis is progress, not loss.
    const suspects = open.filter((_, i) => missing[i]).map((t) => t.id);
    const stillOpen = await ctx.db.jobTask.count({ where: { id: { in: suspects }, status: { in: ["queued", "running"] } } });
    if (stillOpen < suspects.length) continue;
    // A half-wiped entry keeps its id taken: BullMQ would ignore the re-enqueue. Drop it first.
    await Promise.all(entries.map((entry, i) => (missing[i] && entry ? entry.remove().catch(() => {}) : undefined)));
    await enqueueJob(ctx, job.id);
    report.enqueued.push(job.id);
  }
  return report;
}
