// Operator actions on jobs: list with filters (SQL over Postgres, not Redis scans), cancel,
// retry. Each mutation writes its audit row in the same transaction.
import type { AuditActor, Db } from "@docgate/db";
import { Prisma, writeAudit } from "@docgate/db";
import { aggregateStatus, lockJob } from "./aggregate";
import type { OrchestratorContext } from "./context";
import { DomainError } from "./errors";
import { publishJobEvent } from "./events";
import { FINAL_JOB_STATUSES } from "./job-view";
import { serviceQueueName, taskJobId } from "./queues";
import { enqueueJob } from "./submit";

export const JOB_STATUSES = ["queued", "running", "succeeded", "partial", "failed", "cancelled"] as const;
export type JobStatusName = (typeof JOB_STATUSES)[number];

export type JobFilter = {
  statuses?: JobStatusName[];
  service?: string;
  from?: Date;
  to?: Date;
  /** Filename substring, full sha256, or job id. */
  search?: string;
  apiKeyId?: string;
  userId?: string;
  label?: string;
  grade?: string;
};

type Audit = { actor: AuditActor; ip?: string | null; userAgent?: string | null };

export function jobWhere(filter: JobFilter): Prisma.JobWhereInput {
  const and: Prisma.JobWhereInput[] = [];
  if (filter.statuses?.length) and.push({ status: { in: filter.statuses } });
  if (filter.service) and.push({ services: { has: filter.service } });
  if (filter.from) and.push({ createdAt: { gte: filter.from } });
  if (filter.to) and.push({ createdAt: { lt: filter.to } });
  if (filter.apiKeyId) and.push({ apiKeyId: filter.apiKeyId });
  if (filter.userId) and.push({ userId: filter.userId });
  if (filter.label) and.push({ tasks: { some: { service: "classification", output: { path: ["label"], equals: filter.label } } } });
  if (filter.grade) and.push({ tasks: { some: { service: "quality", output: { path: ["grade"], equals: filter.grade } } } });
  const search = filter.search?.trim();
  if (search) {
    const or: Prisma.JobWhereInput[] = [{ filename: { contains: search, mode: "insensitive" } }];
    if (/^[0-9a-f]{64}$/i.test(search)) or.push({ document: { sha256: search.toLowerCase() } });
    if (/^[0-9a-f-]{36}$/i.test(search)) or.push({ id: search.toLowerCase() });
    and.push({ OR: or });
  }
  return and.length ? { AND: and } : {};
}

export async function listJobs(db: Db, filter: JobFilter, page: { page: number; pageSize: number }) {
  const where = jobWhere(filter);
  const [total, rows] = await db.$transaction([
    db.job.count({ where }),
    db.job.findMany({
      where,
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      skip: (page.page - 1) * page.pageSize,
      take: page.pageSize,
      select: {
        id: true, status: true, filename: true, services: true, createdAt: true, finishedAt: true,
        apiKey: { select: { name: true } }, user: { select: { email: true } },
        document: { select: { sha256: true, mimeType: true } },
        tasks: { select: { service: true, status: true, output: true } },
      },
    }),
  ]);
  return {
    total,
    jobs: rows.map(({ tasks, apiKey, user, ...job }) => {
      const label = tasks.find((t) => t.service === "classification")?.output as { label?: string | null } | null;
      const quality = tasks.find((t) => t.service === "quality")?.output as { grade?: string; score?: number } | null;
      return {
        ...job,
        submittedBy: user?.email ?? (apiKey ? `key: ${apiKey.name}` : null),
        tasks: job.services.map((service) => ({ service, status: tasks.find((t) => t.service === service)?.status ?? "queued" })),
        label: label?.label ?? null,
        grade: quality?.grade ?? null,
      };
    }),
  };
}

/**
 * Cancels what has not run yet. A worker that picks up a cancelled task skips it (its
 * result is written only while the task is not final); finished results are kept.
 */
export async function cancelJob(ctx: OrchestratorContext, jobId: string, audit: Audit): Promise<string> {
  const status = await ctx.db.$transaction(async (tx) => {
    // A task's result write that lands now waits for us, and then finds its task cancelled.
    await lockJob(tx, jobId);
    const job = await tx.job.findUnique({ where: { id: jobId }, include: { tasks: { select: { status: true } } } });
    if (!job) throw new DomainError("not_found", "job_not_found", "There is no job with this id.");
    if ((FINAL_JOB_STATUSES as readonly string[]).includes(job.status)) {
      throw new DomainError("conflict", "job_finished", `The job is already ${job.status}.`);
    }
    const now = new Date();
    await tx.jobTask.updateMany({ where: { jobId, status: { in: ["queued", "running"] } }, data: { status: "cancelled", finishedAt: now } });
    const statuses = job.tasks.map((t) => (t.status === "queued" || t.status === "running" ? "cancelled" : t.status));
    const final = statuses.some((s) => s === "succeeded") ? aggregateStatus(statuses) : "cancelled";
    await tx.job.update({ where: { id: jobId }, data: { status: final, finishedAt: now } });
    await writeAudit(tx, { ...audit, action: "job.cancel", target: jobId, metadata: { status: final } });
    return final;
  });
  await publishJobEvent(ctx.redis, ctx.prefix, { type: "job.finished", jobId, status });
  return status;
}

/**
 * Runs a finished job's unsuccessful services again (succeeded results are kept), or, with
 * `services`, exactly those services whatever their result (re-run one service).
 */
export async function retryJob(ctx: OrchestratorContext, jobId: string, audit: Audit, options: { services?: string[] } = {}): Promise<void> {
  const retried = await ctx.db.$transaction(async (tx) => {
    await lockJob(tx, jobId); // no result write or reconciler close interleaves with the reset
    const job = await tx.job.findUnique({ where: { id: jobId }, include: { tasks: true } });
    if (!job) throw new DomainError("not_found", "job_not_found", "There is no job with this id.");
    const rerun = options.services?.length ? options.services : null;
    const allowed = rerun ? ["succeeded", "failed", "partial", "cancelled"] : ["failed", "partial", "cancelled"];
    if (!allowed.includes(job.status)) {
      throw new DomainError("conflict", "job_not_retryable", rerun
        ? `The job is ${job.status}; a service can be re-run once the job has finished.`
        : `Only failed, partial or cancelled jobs can be retried; this one is ${job.status}.`);
    }
    const unknown = rerun?.filter((s) => !job.tasks.some((t) => t.service === s)) ?? [];
    if (unknown.length) throw new DomainError("invalid", "unknown_service", `This job did not run: ${unknown.join(", ")}.`);
    const again = job.tasks.filter((t) => (rerun ? rerun.includes(t.service) : t.status !== "succeeded"));
    await tx.jobTask.updateMany({
      where: { id: { in: again.map((t) => t.id) } },
      data: { status: "queued", attempts: 0, cached: false, error: Prisma.DbNull, output: Prisma.DbNull, startedAt: null, finishedAt: null, durationMs: null },
    });
    await tx.job.update({ where: { id: jobId }, data: { status: "queued", finishedAt: null, enqueuedAt: null } });
    await writeAudit(tx, { ...audit, action: rerun ? "job.rerun" : "job.retry", target: jobId, metadata: { services: again.map((t) => t.service) } });
    return again;
  });
  // The previous run's queue entries would make BullMQ ignore the new ones (same ids).
  try {
    for (const task of retried) await ctx.queue(serviceQueueName(task.service)).remove(taskJobId(task.id));
    await enqueueJob(ctx, jobId);
  } catch {
    // Redis unavailable: the job is queued in Postgres and the reconciler enqueues it.
  }
}

export type BulkResult = { done: string[]; skipped: { id: string; reason: string }[] };

/** Applies cancel or retry to every job matching a filter (bounded), reporting what was skipped. */
export async function bulkJobAction(ctx: OrchestratorContext, action: "cancel" | "retry", filter: JobFilter, audit: Audit, limit = 500): Promise<BulkResult> {
  const eligible: JobStatusName[] = action === "cancel" ? ["queued", "running"] : ["failed", "partial", "cancelled"];
  const statuses = filter.statuses?.length ? filter.statuses.filter((s) => eligible.includes(s)) : eligible;
  const ids = await ctx.db.job.findMany({ where: jobWhere({ ...filter, statuses }), select: { id: true }, orderBy: { createdAt: "asc" }, take: limit });
  const result: BulkResult = { done: [], skipped: [] };
  for (const { id } of ids) {
    try {
      if (action === "cancel") await cancelJob(ctx, id, audit);
      else await retryJob(ctx, id, audit);
      result.done.push(id);
    } catch (error) {
      result.skipped.push({ id, reason: (error as Error).message });
    }
  }
  return result;
}
