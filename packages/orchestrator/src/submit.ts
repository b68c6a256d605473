import type { AuditActor, Prisma } from "@docgate/db";
import { writeAudit } from "@docgate/db";
import type { OrchestratorContext } from "./context";
import {
  AGGREGATE_JOB_NAME, AGGREGATE_QUEUE, TASK_JOB_NAME, aggregateJobId, serviceQueueName, taskJobId,
  type AggregatePayload, type JobOptions, type TaskPayload,
} from "./queues";
import { withTimeout } from "./timeout";

export type IncomingDocument = {
  bytes: Uint8Array<ArrayBuffer>;
  filename: string;
  mimeType: string;
  sha256: string;
  pages?: number | null;
};

export type SubmitInput = {
  document: IncomingDocument;
  /** Service name → the tool that serves a document on it. */
  services: { name: string; tool: string }[];
  options: JobOptions;
  actor: AuditActor;
  apiKeyId?: string | null;
  userId?: string | null;
  ip?: string | null;
  userAgent?: string | null;
};

const ENQUEUE_TIMEOUT_MS = 3_000;

/**
 * Accepts a job: Postgres first (document, job, tasks and audit row in one transaction),
 * then the queue. If Redis is down the job stays `queued` with no `enqueuedAt`, and the
 * reconciler enqueues it later: nothing accepted is lost.
 */
export async function submitJob(ctx: OrchestratorContext, input: SubmitInput): Promise<{ jobId: string; enqueued: boolean }> {
  const { document } = input;
  const jobId = await ctx.db.$transaction(async (tx) => {
    const doc = await tx.document.upsert({
      where: { sha256: document.sha256 },
      create: {
        sha256: document.sha256,
        filename: document.filename,
        mimeType: document.mimeType,
        sizeBytes: document.bytes.byteLength,
        pages: document.pages ?? null,
        bytes: document.bytes,
      },
      update: {},
      select: { id: true },
    });
    const job = await tx.job.create({
      data: {
        documentId: doc.id,
        filename: document.filename,
        services: input.services.map((s) => s.name),
        options: input.options as Prisma.InputJsonObject,
        apiKeyId: input.apiKeyId ?? null,
        userId: input.userId ?? null,
        tasks: { create: input.services.map((s) => ({ service: s.name, tool: s.tool })) },
      },
      select: { id: true },
    });
    await writeAudit(tx, {
      actor: input.actor,
      action: "job.create",
      target: job.id,
      ip: input.ip,
      userAgent: input.userAgent,
      metadata: { documentId: doc.id, sha256: document.sha256, services: input.services.map((s) => s.name) },
    });
    return job.id;
  });
  const enqueued = await enqueueJob(ctx, jobId).then(() => true, () => false);
  return { jobId, enqueued };
}

/**
 * Puts a job's unfinished tasks on their service queues as one BullMQ flow whose parent
 * aggregates. Idempotent: job ids are deterministic, so BullMQ ignores a repeat.
 */
export async function enqueueJob(ctx: OrchestratorContext, jobId: string): Promise<void> {
  const job = await ctx.db.job.findUniqueOrThrow({
    where: { id: jobId },
    include: {
      document: { select: { id: true, sha256: true } },
      tasks: { where: { status: { in: ["queued", "running"] } } },
    },
  });
  const services = await ctx.db.service.findMany({ where: { name: { in: job.tasks.map((t) => t.service) } } });
  const byName = new Map(services.map((s) => [s.name, s]));
  const options = job.options as JobOptions;
  const parentData: AggregatePayload = { v: 1, jobId };
  const add = ctx.flow.add({
    name: AGGREGATE_JOB_NAME,
    queueName: AGGREGATE_QUEUE,
    data: parentData,
    opts: { jobId: aggregateJobId(jobId), removeOnComplete: 1000, removeOnFail: 5000, attempts: 5, backoff: { type: "exponential", delay: 500 } },
    children: job.tasks.map((task) => {
      const service = byName.get(task.service);
      const data: TaskPayload = {
        v: 1, jobId, taskId: task.id, service: task.service, tool: task.tool,
        documentId: job.document.id, sha256: job.document.sha256, options,
      };
      return {
        name: TASK_JOB_NAME,
        queueName: serviceQueueName(task.service),
        data,
        opts: {
          jobId: taskJobId(task.id),
          attempts: (service?.retries ?? 2) + 1,
          backoff: { type: "exponential", delay: 250 },
          // A failed task is an answer, not a reason to stop: the parent still aggregates.
          ignoreDependencyOnFailure: true,
          removeOnComplete: 1000,
          removeOnFail: 5000,
        },
      };
    }),
  });
  await withTimeout(add, ENQUEUE_TIMEOUT_MS, "enqueue timed out");
  await ctx.db.job.update({ where: { id: jobId }, data: { enqueuedAt: new Date() } });
}
