-- The public job view (ARCHITECTURE.md, "Job JSON") as Postgres builds it: the job, its document
-- and its tasks, timestamps as ISO 8601 UTC strings. getJobView (packages/orchestrator/src/
-- job-view.ts) reads it, and docgate_settle_task returns it when it closes a job, so the task
-- runner sends it with `job.finished` and a waiting request answers without reading it again.
-- PL/pgSQL so that its plan is cached per connection.
CREATE FUNCTION docgate_job_view(p_job text) RETURNS json LANGUAGE plpgsql STABLE AS $$
BEGIN
  RETURN (
    SELECT json_build_object(
      'id', j."id", 'status', j."status"::text,
      'createdAt', to_char(j."createdAt", 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
      'startedAt', to_char(j."startedAt", 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
      'finishedAt', to_char(j."finishedAt", 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
      'services', j."services", 'options', j."options", 'filename', j."filename",
      'documentId', d."id", 'mimeType', d."mimeType", 'sizeBytes', d."sizeBytes", 'sha256', d."sha256", 'pages', d."pages",
      'tasks', COALESCE((SELECT json_agg(json_build_object(
          'service', t."service", 'status', t."status", 'cached', t."cached", 'durationMs', t."durationMs",
          'attempts', t."attempts", 'output', t."output", 'error', t."error"))
        FROM "JobTask" t WHERE t."jobId" = j."id"), '[]'::json))
    FROM "Job" j JOIN "Document" d ON d."id" = j."documentId"
    WHERE j."id" = p_job);
END
$$;

-- docgate_settle_task as before (migration settle_task_function, whose comments hold), now also
-- returning the job's view when it closed the job.
DROP FUNCTION docgate_settle_task(integer, text, text, text, jsonb, boolean, jsonb, integer, timestamp(3));

CREATE FUNCTION docgate_settle_task(
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
  -- A statement of its own: it sees the close above.
  RETURN QUERY SELECT v_written, v_closed, CASE WHEN v_closed IS NOT NULL THEN docgate_job_view(p_job) END;
END
$$;
