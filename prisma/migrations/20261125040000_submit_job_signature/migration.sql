-- docgate_submit_job as before (migrations submit_job_function and submit_job_limits, whose
-- comments hold), except that a new document row can be written with its text's simhash
-- signature (p_simhash), which the quality service's near-duplicate look-up reads
-- (apps/workers quality-stores.ts). The intake computes it when the job asks for a quality
-- assessment of text it extracted itself, so the quality task need not write it: that write was
-- the last thing its start statement did besides reading (see submit.ts, intakeReads). An existing
-- row (the same bytes again) keeps what it has.
DROP FUNCTION docgate_submit_job(text, text, text, text, integer, integer, bytea, text, jsonb, jsonb, timestamp(3),
  timestamp(3), text, text[], text[], text[], jsonb, text, text, text, bigint, text, text, text, text, jsonb, text, text, text,
  integer, integer, integer, timestamp(3), boolean);

CREATE FUNCTION docgate_submit_job(
  p_document_id text, p_sha256 text, p_filename text, p_mime_type text, p_size_bytes integer, p_pages integer,
  p_bytes bytea, p_text text, p_page_texts jsonb, p_document_metadata jsonb, p_extracted_at timestamp(3),
  p_now timestamp(3), p_job_id text, p_services text[], p_task_ids text[], p_tools text[], p_options jsonb,
  p_api_key_id text, p_user_id text, p_idempotency_key text,
  p_audit_lock bigint, p_actor_type text, p_actor_id text, p_ip text, p_user_agent text, p_audit_metadata jsonb,
  p_audit_text_0 text, p_audit_text_1 text, p_audit_text_2 text,
  p_key_lock_class integer, p_max_active integer, p_daily_quota integer, p_day_start timestamp(3), p_exclusive boolean,
  -- Default: what a gateway of the previous release means when it calls with the old arguments.
  p_simhash text DEFAULT NULL
) RETURNS TABLE ("documentId" text, "jobId" text, "keyTaken" boolean, "refused" text, "active" integer, "today" integer) LANGUAGE plpgsql AS $$
DECLARE
  v_document text;
  v_new_document boolean := false;
  v_job text;
  v_active integer;
  v_today integer;
  -- More intakes than this cannot be uncommitted at once (each holds a connection).
  v_slack integer := current_setting('max_connections')::integer;
BEGIN
  IF p_idempotency_key IS NOT NULL AND EXISTS (SELECT 1 FROM "Job" WHERE "idempotencyKey" = p_idempotency_key) THEN
    RETURN QUERY SELECT NULL::text, NULL::text, true, NULL::text, NULL::integer, NULL::integer;
    RETURN;
  END IF;

  IF p_api_key_id IS NOT NULL AND (p_max_active IS NOT NULL OR p_daily_quota IS NOT NULL) THEN
    IF p_exclusive THEN
      PERFORM pg_advisory_xact_lock(p_key_lock_class, hashtext(p_api_key_id));
    ELSE
      PERFORM pg_advisory_xact_lock_shared(p_key_lock_class, hashtext(p_api_key_id));
    END IF;
    -- Fresh snapshots from here on: an exclusive holder sees every job of the key's earlier intakes.
    IF p_max_active IS NOT NULL THEN
      SELECT count(*)::integer INTO v_active FROM "Job" WHERE "apiKeyId" = p_api_key_id AND "status" IN ('queued', 'running');
    END IF;
    IF p_daily_quota IS NOT NULL THEN
      SELECT count(*)::integer INTO v_today FROM "Job" WHERE "apiKeyId" = p_api_key_id AND "createdAt" >= p_day_start;
    END IF;
    IF NOT p_exclusive AND (v_active + v_slack >= p_max_active OR v_today + v_slack >= p_daily_quota) THEN
      RETURN QUERY SELECT NULL::text, NULL::text, false, 'near_limit'::text, v_active, v_today;
      RETURN;
    END IF;
    IF v_active >= p_max_active THEN
      RETURN QUERY SELECT NULL::text, NULL::text, false, 'too_many_concurrent_jobs'::text, v_active, v_today;
      RETURN;
    END IF;
    IF v_today >= p_daily_quota THEN
      RETURN QUERY SELECT NULL::text, NULL::text, false, 'daily_quota_exceeded'::text, v_active, v_today;
      RETURN;
    END IF;
  END IF;

  INSERT INTO "Document" ("id", "sha256", "filename", "mimeType", "sizeBytes", "pages", "bytes", "text", "pageTexts", "metadata", "extractedAt", "createdAt", "simhash")
  VALUES (p_document_id, p_sha256, p_filename, p_mime_type, p_size_bytes, p_pages, p_bytes, p_text, p_page_texts, p_document_metadata, p_extracted_at, p_now, p_simhash)
  ON CONFLICT ("sha256") DO NOTHING
  RETURNING "id" INTO v_document;
  IF v_document IS NOT NULL THEN
    v_new_document := true;
  ELSE
    -- A fresh snapshot: sees the row whose insert ours just waited for.
    SELECT "id" INTO v_document FROM "Document" WHERE "sha256" = p_sha256;
    IF v_document IS NULL THEN
      RETURN QUERY SELECT NULL::text, NULL::text, false, NULL::text, v_active, v_today; -- deleted meanwhile: the caller tries again
      RETURN;
    END IF;
  END IF;

  INSERT INTO "Job" ("id", "documentId", "filename", "services", "options", "apiKeyId", "userId", "createdAt", "idempotencyKey")
  VALUES (p_job_id, v_document, p_filename, p_services, p_options, p_api_key_id, p_user_id, p_now, p_idempotency_key)
  ON CONFLICT ("idempotencyKey") DO NOTHING
  RETURNING "id" INTO v_job;
  IF v_job IS NULL THEN
    -- Another request with the same key got in first: a reused key must not leave a document behind.
    IF v_new_document THEN
      DELETE FROM "Document" WHERE "id" = v_document;
    END IF;
    RETURN QUERY SELECT NULL::text, NULL::text, true, NULL::text, v_active, v_today;
    RETURN;
  END IF;

  INSERT INTO "JobTask" ("id", "jobId", "service", "tool")
  SELECT t.id, v_job, t.service, t.tool FROM unnest(p_task_ids, p_services, p_tools) AS t(id, service, tool);

  PERFORM docgate_append_audit(p_audit_lock, p_now, p_actor_type, p_actor_id, 'job.create', v_job, p_ip, p_user_agent,
    jsonb_build_object('documentId', v_document) || p_audit_metadata,
    p_audit_text_0 || to_json(v_document)::text || p_audit_text_1, p_audit_text_2);
  RETURN QUERY SELECT v_document, v_job, false, NULL::text, v_active, v_today;
END
$$;
