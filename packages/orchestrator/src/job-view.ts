import type { Db } from "@docgate/db";

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

/** The public job JSON (ARCHITECTURE.md, "Job JSON"). */
export async function getJobView(db: Db, jobId: string): Promise<JobView | null> {
  const job = await db.job.findUnique({
    where: { id: jobId },
    include: {
      document: { select: { id: true, mimeType: true, sizeBytes: true, sha256: true, pages: true } },
      tasks: true,
    },
  });
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
      id: job.document.id,
      filename: job.filename,
      mimeType: job.document.mimeType,
      sizeBytes: job.document.sizeBytes,
      sha256: job.document.sha256,
      pages: job.document.pages,
    },
    results,
  };
}
