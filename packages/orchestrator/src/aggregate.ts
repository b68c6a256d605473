import { Prisma, type JobStatus } from "@docgate/db";
import type { OrchestratorContext } from "./context";
import { publishJobEvent } from "./events";

/** Decides a job's status from its tasks. */
export function aggregateStatus(taskStatuses: string[]): JobStatus {
  const succeeded = taskStatuses.filter((s) => s === "succeeded").length;
  if (taskStatuses.length > 0 && taskStatuses.every((s) => s === "cancelled")) return "cancelled";
  if (succeeded === taskStatuses.length && succeeded > 0) return "succeeded";
  if (succeeded > 0) return "partial";
  return "failed";
}

/**
 * Closes a job once BullMQ says every child is settled. A task that never reached a final
 * state (its queue job vanished or exhausted retries without a write) is failed here so the
 * job always ends with every service's output or error.
 *
 * One statement (every job ends here, so it is on the hot path): lock the job row while it is
 * open, fail its unfinished tasks, and set the job's status by aggregateStatus's rule, written
 * again in SQL. A job already closed (a redelivery, the reconciler racing the aggregator) is
 * left alone and its status returned.
 */
export async function aggregateJob(ctx: OrchestratorContext, jobId: string): Promise<JobStatus | null> {
  const now = Prisma.sql`(${new Date().toISOString()}::timestamptz AT TIME ZONE 'UTC')`;
  const [row] = await ctx.db.$queryRaw<{ closed: JobStatus | null; current: JobStatus | null }[]>`
    WITH job AS (
      SELECT "id" FROM "Job" WHERE "id" = ${jobId} AND "status" IN ('queued', 'running') FOR UPDATE
    ), lost AS (
      UPDATE "JobTask" t
      SET "status" = 'failed', "finishedAt" = ${now},
          "error" = jsonb_build_object('code', 'task_lost', 'message', COALESCE(t."error"->>'message', 'The task ended without a result.'))
      FROM job WHERE t."jobId" = job."id" AND t."status" IN ('queued', 'running')
    ), settled AS (
      SELECT CASE WHEN t."status" IN ('queued', 'running') THEN 'failed' ELSE t."status"::text END AS s
      FROM "JobTask" t JOIN job ON t."jobId" = job."id"
    ), verdict AS (
      SELECT CASE
        WHEN count(*) > 0 AND bool_and(s = 'cancelled') THEN 'cancelled'
        WHEN count(*) > 0 AND bool_and(s = 'succeeded') THEN 'succeeded'
        WHEN bool_or(s = 'succeeded') THEN 'partial'
        ELSE 'failed' END AS status
      FROM settled
    ), closed AS (
      UPDATE "Job" j SET "status" = verdict.status::"JobStatus", "finishedAt" = ${now}, "startedAt" = COALESCE(j."startedAt", ${now})
      FROM job, verdict WHERE j."id" = job."id"
      RETURNING j."status"::text AS "status"
    )
    SELECT (SELECT "status" FROM closed) AS "closed", (SELECT "status"::text FROM "Job" WHERE "id" = ${jobId}) AS "current"`;
  if (!row || (!row.closed && !row.current)) return null;
  if (row.closed) await publishJobEvent(ctx.redis, ctx.prefix, { type: "job.finished", jobId, status: row.closed });
  return row.closed ?? row.current;
}
