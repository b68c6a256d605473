import { fastSql, sql, type Db } from "@docgate/db";

export const FINAL_JOB_STATUSES = ["succeeded", "partial", "failed", "cancelled"] as const;
export const isFinalJobStatus = (status: string) => (FINAL_JOB_STATUSES as readonly string[]).includes(status);

export type ServiceResult = {
  status: string;
  cached: boolean;
  durationMs: number | null;
  attempts: number;
  output: unknown;
  error: { code: string; message: string } | null;
};

export type JobView = {
  id: string;
  status: string;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  services: string[];
  options: Record<string, unknown>;
  document: { id: string; filename: string; mimeType: string; sizeBytes: number; sha256: string; pages: number | null };
  results: Record<string, ServiceResult>;
};

type ViewRow = {
  id: string; status: string; createdAt: Date; startedAt: Date | null; finishedAt: Date | null; services: string[]; options: unknown;
  filename: string; documentId: string; mimeType: string; sizeBytes: number; sha256: string; pages: number | null;
  tasks: { service: string; status: string; cached: boolean; durationMs: number | null; attempts: number; output: unknown; error: unknown }[];
};

/**
 * The public job JSON (ARCHITECTURE.md, "Job JSON"). One statement (job, document and tasks
 * joined), straight on pg (fast-sql.ts), since every sync answer and every poll of a job reads it.
 */
export async function getJobView(db: Db, jobId: string): Promise<JobView | null> {
  const [job] = await fastSql(db).query<ViewRow>(sql`
    SELECT j."id", j."status"::text AS "status", j."createdAt", j."startedAt", j."finishedAt", j."services", j."options", j."filename",
           d."id" AS "documentId", d."mimeType", d."sizeBytes", d."sha256", d."pages",
           COALESCE((SELECT json_agg(json_build_object(
               'service', t."service", 'status', t."status", 'cached', t."cached", 'durationMs', t."durationMs",
               'attempts', t."attempts", 'output', t."output", 'error', t."error"))
             FROM "JobTask" t WHERE t."jobId" = j."id"), '[]'::json) AS "tasks"
    FROM "Job" j JOIN "Document" d ON d."id" = j."documentId"
    WHERE j."id" = ${jobId}`);
  if (!job) return null;
  const results: Record<string, ServiceResult> = {};
  for (const service of job.services) {
    const task = job.tasks.find((t) => t.service === service);
    if (!task) continue;
    results[service] = {
      status: task.status,
      cached: task.cached,
      durationMs: task.durationMs,
      attempts: task.attempts,
      output: task.status === "succeeded" ? task.output : null,
      error: task.status === "succeeded" ? null : ((task.error as ServiceResult["error"]) ?? null),
    };
  }
  return {
    id: job.id,
    status: job.status,
    createdAt: job.createdAt.toISOString(),
    startedAt: job.startedAt?.toISOString() ?? null,
    finishedAt: job.finishedAt?.toISOString() ?? null,
    services: job.services,
    options: job.options as Record<string, unknown>,
    document: {
      id: job.documentId,
      filename: job.filename,
      mimeType: job.mimeType,
      sizeBytes: job.sizeBytes,
      sha256: job.sha256,
      pages: job.pages,
    },
    results,
  };
}

/** The view of a job just accepted (nothing has run yet): what submitJob wrote, without reading it back. */
export function acceptedJobView(job: {
  id: string; createdAt: Date; services: string[]; options: Record<string, unknown>;
  document: JobView["document"];
}): JobView {
  const results: Record<string, ServiceResult> = {};
  for (const service of job.services) {
    results[service] = { status: "queued", cached: false, durationMs: null, attempts: 0, output: null, error: null };
  }
  return {
    id: job.id, status: "queued", createdAt: job.createdAt.toISOString(), startedAt: null, finishedAt: null,
    services: job.services, options: job.options, document: job.document, results,
  };
}
