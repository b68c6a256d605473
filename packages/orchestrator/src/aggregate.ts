import { fastSql, sql, utcTimestamp, type Db, type JobStatus } from "@docgate/db";
import type { OrchestratorContext } from "./context";
import { publishJobEvent } from "./events";
import { toJobView, type JobView, type StoredJobView } from "./job-view";

/** Decides a job's status from its tasks. */
export function aggregateStatus(taskStatuses: string[]): JobStatus {
  const succeeded = taskStatuses.filter((s) => s === "succeeded").length;
  if (taskStatuses.length > 0 && taskStatuses.every((s) => s === "cancelled")) return "cancelled";
  if (succeeded === taskStatuses.length && succeeded > 0) return "succeeded";
  if (succeeded > 0) return "partial";
  return "failed";
}

// Two-key advisory locks live apart from the single-key audit lock.
const JOB_LOCK_CLASS = 0x6a6f6273; // "jobs"

/**
 * Serialises everything that settles one job's tasks (a task's final write, cancel, the
 * reconciler) until the transaction ends, so the last writer of a job always sees every other
 * task final and closes it. Statements after it in the transaction read what the others committed.
 */
const lockJobSql = (jobId: string) => sql`SELECT pg_advisory_xact_lock(${JOB_LOCK_CLASS}::int, hashtext(${jobId}))`;

/** The same lock inside a Prisma transaction (cancel). */
export function lockJob(tx: Pick<Db, "$executeRaw">, jobId: string) {
  return tx.$executeRaw`SELECT pg_advisory_xact_lock(${JOB_LOCK_CLASS}::int, hashtext(${jobId}))`;
}

/**
 * aggregateStatus's rule over a `settled(s)` relation of task statuses, in SQL: the verdict, and
 * whether every task is final. Keep in step with aggregateStatus and with the same rule in the
 * docgate_settle_task function (prisma/migrations/*_settle_task_function).
 */
const VERDICT = sql`
  SELECT CASE
    WHEN count(*) > 0 AND bool_and(s = 'cancelled') THEN 'cancelled'
    WHEN count(*) > 0 AND bool_and(s = 'succeeded') THEN 'succeeded'
    WHEN bool_or(s = 'succeeded') THEN 'partial'
    ELSE 'failed' END AS status,
    COALESCE(bool_and(s NOT IN ('queued', 'running')), true) AS settled
  FROM settled`;

/** When a task's run started and which attempt it was, for a result whose start no statement recorded yet. */
export type TaskStart = { at: Date; attempt: number };

export type TaskFinal =
  /** The output as JSON text: serialized once, it is also the cache entry (or was read from it). */
  | { status: "succeeded"; outputJson: string; cached: boolean; durationMs: number }
  | { status: "failed"; error: { code: string; message: string }; durationMs: number | null };

/**
 * Writes a task's result once (only while the task is not final, so a redelivered queue job
 * never overwrites it) and, when that was the job's last unfinished task, closes the job by
 * aggregateStatus's rule. One round trip: docgate_settle_task (migration settle_task_function)
 * takes the job lock, then writes and closes in one statement that sees the other writers' work.
 * A write that leaves the job open commits without waiting for the disk; the closing one waits
 * (migration settle_task_quick_commit says why nothing is lost).
 * `unrecordedStart`: the run's start, when the worker wrote none before (tasks.ts, runTask); the
 * result records it, and marks the job running if it stays open.
 * `written` is false when the task was already final (or gone). When it closed the job, `view`
 * is the job's final view (migration job_view_function; none with `withView: false`, when nobody
 * waits for it), and it publishes `job.finished` with it, unless the caller sends its events
 * itself (`publish: false`).
 */
export async function settleTask(
  ctx: OrchestratorContext,
  jobId: string,
  taskId: string,
  result: TaskFinal,
  options: { publish?: boolean; unrecordedStart?: TaskStart; withView?: boolean } = {},
): Promise<{ written: boolean; jobStatus: JobStatus | null; view: JobView | null }> {
  const start = options.unrecordedStart;
  const [row] = await fastSql(ctx.db).query<{ written: number; closed: JobStatus | null; view: StoredJobView | null }>(sql`
    SELECT "written", "closed", "view" FROM docgate_settle_task(${JOB_LOCK_CLASS}, ${jobId}, ${taskId}, ${result.status},
      ${result.status === "succeeded" ? result.outputJson : null}::jsonb, ${result.status === "succeeded" && result.cached},
      ${result.status === "failed" ? JSON.stringify(result.error) : null}::jsonb, ${result.durationMs}, ${utcTimestamp(new Date())},
      ${start ? utcTimestamp(start.at) : null}::timestamp(3), ${start?.attempt ?? null}::integer, ${options.withView !== false})`);
  const view = row?.view ? toJobView(row.view) : null;
  if (row?.closed && options.publish !== false) {
    await publishJobEvent(ctx.redis, ctx.prefix, { type: "job.finished", jobId, status: row.closed, ...(view ? { view } : {}) });
  }
  return { written: (row?.written ?? 0) > 0, jobStatus: row?.closed ?? null, view };
}

/**
 * Closes a job whose tasks are all final but which is still open (the reconciler's backstop;
 * nothing in the normal flow leaves a job so). A job with an open task is left alone: such tasks
 * are the queue's, or the reconciler's to fail as lost. Returns the status it closed with.
 */
export async function closeSettledJob(ctx: OrchestratorContext, jobId: string): Promise<JobStatus | null> {
  const now = utcTimestamp(new Date());
  const [row] = await fastSql(ctx.db).transaction(async (query) => {
    await query(lockJobSql(jobId));
    return query<{ closed: JobStatus | null }>(sql`
      WITH settled AS (
        SELECT "status"::text AS s FROM "JobTask" WHERE "jobId" = ${jobId}
      ), verdict AS (${VERDICT}
      ), closed AS (
        UPDATE "Job" j SET "status" = verdict.status::"JobStatus", "finishedAt" = ${now}, "startedAt" = COALESCE(j."startedAt", ${now})
        FROM verdict WHERE j."id" = ${jobId} AND j."status" IN ('queued', 'running') AND verdict.settled
        RETURNING j."status"::text AS "status"
      )
      SELECT (SELECT "status" FROM closed) AS "closed"`);
  });
  if (row?.closed) await publishJobEvent(ctx.redis, ctx.prefix, { type: "job.finished", jobId, status: row.closed });
  return row?.closed ?? null;
}
