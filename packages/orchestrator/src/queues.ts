import { z } from "zod";

export const serviceQueueName = (service: string) => `svc.${service}`;
export const TASK_JOB_NAME = "document.process";

/** BullMQ job ids are deterministic so a re-enqueue of the same work is a no-op. */
export const taskJobId = (taskId: string) => `task-${taskId}`;

export const JobOptionsSchema = z.object({
  taxonomy: z.string().min(1).max(100).optional(),
  profile: z.string().min(1).max(100).optional(),
});
export type JobOptions = z.infer<typeof JobOptionsSchema>;

export const TaskPayloadSchema = z.object({
  v: z.literal(1),
  jobId: z.string(),
  taskId: z.string(),
  service: z.string(),
  tool: z.string(),
  documentId: z.string(),
  sha256: z.string(),
  options: JobOptionsSchema,
  /** The gateway request that created the job, for log lines. */
  requestId: z.string().max(200).optional(),
  /** W3C trace context of the request, so the worker's span joins its trace (when tracing). */
  traceparent: z.string().max(100).optional(),
  /**
   * The job's intake wrote the document row: these bytes were not stored before, so no earlier
   * task can have cached an answer for them and the task skips the cache look-up. (Bytes stored
   * once, deleted, then sent again could have one: missing it costs a recomputation, nothing else.)
   */
  newDocument: z.boolean().optional(),
  /**
   * A client waits for the job's final view (a synchronous request): the result that closes the
   * job returns that view with `job.finished`, which answers the client without another read.
   * Without it no view is built; anyone watching reads the job instead.
   */
  awaited: z.boolean().optional(),
  /**
   * The document's text exactly as the intake stored it, when the intake extracted it itself and
   * it is small (see INLINE_TEXT_MAX_CHARS): the task reads it from here, not from Postgres, so
   * its tool call need not wait for the start statement. Only with `newDocument` (the row holds
   * this very extraction); the reconciler's re-enqueues never carry it.
   */
  documentText: z.object({
    mimeType: z.string(),
    text: z.string(),
    /** Absent when the only page is the whole text. */
    pageTexts: z.array(z.string()).optional(),
    extraction: z.record(z.string(), z.unknown()),
  }).optional(),
  /**
   * What the job's intake statement read for this task, which its start statement would
   * otherwise read (submit.ts, intakeReads): its service's own JSON. Only with `documentText`.
   */
  intakeRead: z.unknown().optional(),
});
export type TaskPayload = z.infer<typeof TaskPayloadSchema>;

