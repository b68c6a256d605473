-- docgate_settle_task as before (migrations settle_task_function, job_view_function and
-- settle_task_quick_commit, whose comments hold), except in two things:
-- * It records the start of a task whose worker wrote no start of its own (tasks.ts, runTask: a
--   first run whose start statement would have had nothing else to do); p_started_at and
--   p_attempt are null when the start statement ran. Such a result sets the task's "startedAt"
--   (this run's, not an earlier run's) and "attempts", and marks its job running when the job
--   stays open, as the start statement would have. A job's "startedAt" is its earliest task's
--   start in the current run of the job (a retried job is queued again with its old one),
--   whichever statement recorded which.
-- * It builds the closed job's view only when someone waits for it (p_with_view, from
--   TaskPayload.awaited): the view holds every output, and an asynchronous job's watchers read
--   the job themselves.
DROP FUNCTION docgate_settle_task(integer, text, text, text, jsonb, boolean, jsonb, integer, timestamp(3));

CREATE FUNCTION docgate_settle_task(
  p_lock_class integer, p_job text, p_task text, p_status text, p_output jsonb, p_cached boolean,
  p_error jsonb, p_duration_ms integer, p_at timestamp(3),
  -- Defaults: what a worker of the previous release means when it calls with the old arguments.
  p_started_at timestamp(3) DEFAULT NULL, p_attempt integer DEFAULT NULL, p_with_view boolean DEFAULT true
) RETURNS TABLE ("written" integer, "closed" text, "view" json) LANGUAGE plpgsql AS $$
DECLARE
  v_written integer;
  v_closed text;
BEGIN
  PERFORM pg_advisory_xact_lock(p_lock_class, hashtext(p_job));
  WITH task AS (
    UPDATE "JobTask" SET "status" = p_status::"TaskStatus", "output" = p_output, "cached" = p_cached,
           "error" = p_error, "durationMs" = p_duration_ms, "finishedAt" = p_at,
           "startedAt" = COALESCE(p_started_at, "startedAt"), "attempts" = COALESCE(p_attempt, "attempts")
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
    UPDATE "Job" j SET "status" = verdict.status::"JobStatus", "finishedAt" = p_at,
           "startedAt" = CASE WHEN j."status" = 'queued' THEN COALESCE(p_started_at, p_at)
                              ELSE COALESCE(LEAST(j."startedAt", p_started_at), p_at) END
    FROM verdict
    WHERE j."id" = p_job AND j."status" IN ('queued', 'running') AND verdict.all_final AND EXISTS (SELECT 1 FROM task)
    RETURNING j."status"::text AS status
  ), opening AS (
    -- Also when another task's start statement marked the job running after this task started.
    UPDATE "Job" j SET "status" = 'running',
           "startedAt" = CASE WHEN j."status" = 'queued' THEN p_started_at ELSE LEAST(j."startedAt", p_started_at) END
    FROM verdict
    WHERE j."id" = p_job AND p_started_at IS NOT NULL AND NOT verdict.all_final AND EXISTS (SELECT 1 FROM task)
      AND (j."status" = 'queued' OR (j."status" = 'running' AND (j."startedAt" IS NULL OR p_started_at < j."startedAt")))
  )
  SELECT (SELECT count(*) FROM task)::integer, (SELECT status FROM closing) INTO v_written, v_closed;
  IF v_closed IS NULL THEN
    PERFORM set_config('synchronous_commit', 'off', true);
  END IF;
  -- A statement of its own: it sees the close above.
  RETURN QUERY SELECT v_written, v_closed, CASE WHEN v_closed IS NOT NULL AND p_with_view THEN docgate_job_view(p_job) END;
END
$$;
