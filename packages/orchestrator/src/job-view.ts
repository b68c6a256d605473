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

/** The job as docgate_job_view builds it (migration job_view_function): timestamps already ISO strings. */
export type StoredJobView = {
  id: string; status: string; createdAt: string; startedAt: string | null; finishedAt: string | null; services: string[]; options: unknown;
  filename: string; documentId: string; mimeType: string; sizeBytes: number; sha256: string; pages: number | null;
  tasks: { service: string; status: string; cached: boolean; durationMs: number | null; attempts: number; output: unknown; error: unknown }[];
};

/**
 * The public job JSON (ARCHITECTURE.md, "Job JSON"). One statement, straight on pg
 * (fast-sql.ts), since every sync answer and every poll of a job reads it. The same function
 * builds the view that comes with `job.finished` (docgate_settle_task), so both agree.
 */
export async function getJobView(db: Db, jobId: string): Promise<JobView | null> {
  const [row] = await fastSql(db).query<{ view: StoredJobView | null }>(sql`SELECT docgate_job_view(${jobId}) AS "view"`);
  return row?.view ? toJobView(row.view) : null;
}

/** Shapes docgate_job_view's row as the public job JSON: results by service, outputs only of succeeded tasks. */
export function toJobView(job: StoredJobView): JobView {
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
    createdAt: job.createdAt,
    startedAt: job.startedAt,
    finishedAt: job.finishedAt,
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
