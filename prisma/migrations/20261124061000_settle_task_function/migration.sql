-- A task's result write and, when it settles the job's last open task, the job's close: one call
-- instead of BEGIN, lock, statement, COMMIT (see settleTask in packages/orchestrator/src/aggregate.ts,
-- which holds the same rule in TypeScript and must stay in step with it).
-- The advisory lock serialises the writers of one job; the statement after it runs with a fresh
-- snapshot (PL/pgSQL, READ COMMITTED), so it sees what the job's other writers committed.
CREATE FUNCTION docgate_settle_task(
  p_lock_class integer, p_job text, p_task text, p_status text, p_output jsonb, p_cached boolean,
  p_error jsonb, p_duration_ms integer, p_at timestamp(3)
) RETURNS TABLE ("written" integer, "closed" text) LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(p_lock_class, hashtext(p_job));
  RETURN QUERY
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
  SELECT (SELECT count(*) FROM task)::integer, (SELECT status FROM closing);
END
$$;
