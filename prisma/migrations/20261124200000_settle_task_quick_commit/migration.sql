-- docgate_settle_task as before (migrations settle_task_function and job_view_function, whose
-- comments hold), except that a result which leaves its job open commits without waiting for its
-- WAL to reach the disk (synchronous_commit off for that transaction only). A flush costs 1-3 ms
-- on some of our machines, and every document paid it once per task.
--
-- Why nothing is lost: the job's closing commit does wait, and it comes later in the WAL (the job
-- lock orders the two), so its flush makes this one durable too. Nobody is told that a job is
-- final before that commit. Its finished tasks do show while it is open (GET /api/v1/jobs/{id},
-- the event stream, MCP get_job): if Postgres crashes before the close, such a task reads
-- unfinished again while its queue entry reads completed (or is gone), the reconciler runs it
-- again (reconcile.ts, LOST_STATES), and that run may answer differently (from the cache, or with
-- a model activated meanwhile); a watcher may see its `task.finished` twice.
CREATE OR REPLACE FUNCTION docgate_settle_task(
  p_lock_class integer, p_job text, p_task text, p_status text, p_output jsonb, p_cached boolean,
  p_error jsonb, p_duration_ms integer, p_at timestamp(3)
) RETURNS TABLE ("written" integer, "closed" text, "view" json) LANGUAGE plpgsql AS $$
DECLARE
  v_written integer;
  v_closed text;
BEGIN
  PERFORM pg_advisory_xact_lock(p_lock_class, hashtext(p_job));
  WITH task AS (
    UPDATE "JobTask" SET "status" = p_status::"TaskStatus", "output" = p_output, "cached" = p_cached,
           "error" = p_error, "durationMs" = p_duration_ms, "finishedAt" = p_at
    WHERE "id" = p_task AND "status" IN ('queued', 'running')
    RETURNING "id", "status"::text AS s
  ), settled AS (
    SELECT s FROM task
    UNION ALL
    SELECT t."status"::text FROM "JobTask" t WHERE t."jobId" = p_job AND t."id" <> p_task
  ), verdict AS (
    SELECT CASE
      WHEN count(*) > 0 AND bool_and(s = 'cancelled') THEN 'cancelled'
      WHEN count(*) > 0 AND bool_and(s = 'succeeded') THEN 'succeeded'
      WHEN bool_or(s = 'succeeded') THEN 'partial'
      ELSE 'failed' END AS status,
      COALESCE(bool_and(s NOT IN ('queued', 'running')), true) AS all_final
    FROM settled
  ), closing AS (
    UPDATE "Job" j SET "status" = verdict.status::"JobStatus", "finishedAt" = p_at, "startedAt" = COALESCE(j."startedAt", p_at)
    FROM verdict
    WHERE j."id" = p_job AND j."status" IN ('queued', 'running') AND verdict.all_final AND EXISTS (SELECT 1 FROM task)
    RETURNING j."status"::text AS status
  )
  SELECT (SELECT count(*) FROM task)::integer, (SELECT status FROM closing) INTO v_written, v_closed;
  IF v_closed IS NULL THEN
    PERFORM set_config('synchronous_commit', 'off', true);
  END IF;
  -- A statement of its own: it sees the close above.
  RETURN QUERY SELECT v_written, v_closed, CASE WHEN v_closed IS NOT NULL THEN docgate_job_view(p_job) END;
END
$$;
