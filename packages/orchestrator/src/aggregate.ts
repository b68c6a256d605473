import type { JobStatus, Prisma } from "@docgate/db";
import type { OrchestratorContext } from "./context";
import { publishJobEvent } from "./events";

/** Decides a job's status from its tasks. */
export function aggregateStatus(taskStatuses: string[]): JobStatus {
  const succeeded = taskStatuses.filter((s) => s === "succeeded").length;
  if (taskStatuses.length > 0 && taskStatuses.every((s) => s === "cancelled")) return "cancelled";
  if (succeeded === taskStatuses.length && succeeded > 0) return "succeeded";
  if (succeeded > 0) return "partial";
  return "failed";
}

/**
 * Closes a job once BullMQ says every child is settled. A task that never reached a final
 * state (its queue job vanished or exhausted retries without a write) is failed here so the
 * job always ends with every service's output or error.
 */
export async function aggregateJob(ctx: OrchestratorContext, jobId: string): Promise<JobStatus | null> {
  const result = await ctx.db.$transaction(async (tx) => {
    const job = await tx.job.findUnique({ where: { id: jobId }, include: { tasks: true } });
    if (!job) return null;
    if (["succeeded", "partial", "failed", "cancelled"].includes(job.status)) return job.status;
    const now = new Date();
    for (const task of job.tasks) {
      if (task.status === "queued" || task.status === "running") {
        const last = (task.error as { message?: string } | null)?.message;
        await tx.jobTask.update({
          where: { id: task.id },
          data: {
            status: "failed",
            finishedAt: now,
            error: { code: "task_lost", message: last ?? "The task ended without a result." } as Prisma.InputJsonObject,
          },
        });
        task.status = "failed";
      }
    }
    const status = aggregateStatus(job.tasks.map((t) => t.status));
    await tx.job.update({ where: { id: jobId }, data: { status, finishedAt: now, startedAt: job.startedAt ?? now } });
    return status;
  });
  if (result) await publishJobEvent(ctx.redis, ctx.prefix, { type: "job.finished", jobId, status: result });
  return result;
}
