import { sql, utcTimestamp, type SqlFragment } from "@docgate/db";
import { simhash64 } from "@docgate/mcp";
import { qualityProfileSql } from "./profiles";
import type { JobOptions } from "./queues";

/**
 * What a quality task reads before its tool call, as one JSON value: `profile`
 * (qualityProfileSql) and `signature`, the near-duplicate look-up's exact match (the earliest
 * earlier document with the same simhash, any age, and when this one was created: see
 * quality-stores.ts in apps/workers), or null. Both tools that read a document look for its
 * near-duplicates. Made by the task's start statement, or by the job's intake (qualityIntakeRead).
 */
export function qualityTaskRead(profile: string | undefined, signature: SqlFragment | null): SqlFragment {
  return sql`json_build_object('profile', ${qualityProfileSql(profile)}, 'signature', ${signature ?? sql`NULL`})`;
}

/**
 * The same read made by the intake statement of a job whose text the gateway extracted, for the
 * quality task to find in its payload (TaskPayload.intakeRead): the task then makes no statement
 * before its call, and its start is written with its result (tasks.ts, runTask). `simhash` is
 * what the intake stores with the new document row, which the start statement would otherwise
 * have written. Such a task is assessed with the profile in force at the upload; the others
 * (text extracted by the workers, longer text, bytes stored before, a re-enqueue by the
 * reconciler or an admin's retry) read it when they start. Null for a tool that reads nothing
 * (list_profiles).
 */
export function qualityIntakeRead(tool: string, options: JobOptions, text: string, createdAt: Date): { read: SqlFragment; simhash: string | null } | null {
  if (tool !== "assess_quality" && tool !== "validate_document") return null;
  const simhash = simhash64(text);
  // The new row is not in the statement's snapshot: every document found is an earlier one.
  const signature = simhash
    ? sql`json_build_object(
        'exactId', (SELECT d."id" FROM "Document" d WHERE d."simhash" = ${simhash}::text AND d."createdAt" <= ${utcTimestamp(createdAt)}
                    ORDER BY d."createdAt" ASC LIMIT 1),
        'createdAtMs', ${createdAt.getTime()}::float8)`
    : null;
  return { read: qualityTaskRead(options.profile, signature), simhash };
}
