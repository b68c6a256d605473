-- The job intake in one call instead of BEGIN, rows, audit, COMMIT (see insertJob in
-- packages/orchestrator/src/submit.ts): the document (kept by sha256), the job, its tasks and
-- the `job.create` audit row, in the call's own transaction.
-- Each statement below is its own statement: its foreign-key checks (the API key or user row)
-- run when it ends, so the audit lock that docgate_append_audit takes last is never held while
-- waiting on a row another audited writer holds. It is held only until the call commits.
-- Returns the document and job ids; "keyTaken" when a job with the idempotency key exists, in
-- which case nothing is left written.
CREATE FUNCTION docgate_submit_job(
  p_document_id text, p_sha256 text, p_filename text, p_mime_type text, p_size_bytes integer, p_pages integer,
  p_bytes bytea, p_text text, p_page_texts jsonb, p_document_metadata jsonb, p_extracted_at timestamp(3),
  p_now timestamp(3), p_job_id text, p_services text[], p_task_ids text[], p_tools text[], p_options jsonb,
  p_api_key_id text, p_user_id text, p_idempotency_key text,
  p_audit_lock bigint, p_actor_type text, p_actor_id text, p_ip text, p_user_agent text, p_audit_metadata jsonb,
  p_audit_text_0 text, p_audit_text_1 text, p_audit_text_2 text
) RETURNS TABLE ("documentId" text, "jobId" text, "keyTaken" boolean) LANGUAGE plpgsql AS $$
DECLARE
  v_document text;
  v_new_document boolean := false;
  v_job text;
BEGIN
  IF p_idempotency_key IS NOT NULL AND EXISTS (SELECT 1 FROM "Job" WHERE "idempotencyKey" = p_idempotency_key) THEN
    RETURN QUERY SELECT NULL::text, NULL::text, true;
    RETURN;
  END IF;

  INSERT INTO "Document" ("id", "sha256", "filename", "mimeType", "sizeBytes", "pages", "bytes", "text", "pageTexts", "metadata", "extractedAt", "createdAt")
  VALUES (p_document_id, p_sha256, p_filename, p_mime_type, p_size_bytes, p_pages, p_bytes, p_text, p_page_texts, p_document_metadata, p_extracted_at, p_now)
  ON CONFLICT ("sha256") DO NOTHING
  RETURNING "id" INTO v_document;
  IF v_document IS NOT NULL THEN
    v_new_document := true;
  ELSE
    -- A fresh snapshot: sees the row whose insert ours just waited for.
    SELECT "id" INTO v_document FROM "Document" WHERE "sha256" = p_sha256;
    IF v_document IS NULL THEN
      RETURN QUERY SELECT NULL::text, NULL::text, false; -- deleted meanwhile: the caller tries again
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
    RETURN QUERY SELECT NULL::text, NULL::text, true;
    RETURN;
  END IF;

  INSERT INTO "JobTask" ("id", "jobId", "service", "tool")
  SELECT t.id, v_job, t.service, t.tool FROM unnest(p_task_ids, p_services, p_tools) AS t(id, service, tool);

  PERFORM docgate_append_audit(p_audit_lock, p_now, p_actor_type, p_actor_id, 'job.create', v_job, p_ip, p_user_agent,
    jsonb_build_object('documentId', v_document) || p_audit_metadata,
    p_audit_text_0 || to_json(v_document)::text || p_audit_text_1, p_audit_text_2);
  RETURN QUERY SELECT v_document, v_job, false;
END
$$;
