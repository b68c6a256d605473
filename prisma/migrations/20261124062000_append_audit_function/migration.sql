-- Appends one row to the hash-chained audit log from inside another statement (the job intake):
-- it takes the audit lock, reads the newest hash with a fresh snapshot (PL/pgSQL, READ
-- COMMITTED), and stores the row with the SHA-256 of its canonical text, which the caller passes
-- cut around the previous hash (see auditCanonicalPieces in packages/db/src/audit.ts).
CREATE FUNCTION docgate_append_audit(
  p_lock bigint, p_at timestamp(3), p_actor_type text, p_actor_id text, p_action text, p_target text,
  p_ip text, p_user_agent text, p_metadata jsonb, p_text_before_prev text, p_text_after_prev text
) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  prev text;
  digest text;
BEGIN
  PERFORM pg_advisory_xact_lock(p_lock);
  SELECT "hash" INTO prev FROM "AuditLog" ORDER BY "id" DESC LIMIT 1;
  digest := encode(sha256(convert_to(p_text_before_prev || COALESCE(to_json(prev)::text, 'null') || p_text_after_prev, 'UTF8')), 'hex');
  INSERT INTO "AuditLog" ("at", "actorType", "actorId", "action", "target", "ip", "userAgent", "metadata", "prevHash", "hash")
  VALUES (p_at, p_actor_type, p_actor_id, p_action, p_target, p_ip, p_user_agent, p_metadata, prev, digest);
  RETURN digest;
END
$$;
