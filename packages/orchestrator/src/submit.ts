import { AUDIT_LOCK, auditCanonicalPieces, fastSql, sql, utcTimestamp, type AuditActor, type Db, type Prisma, type SqlFragment } from "@docgate/db";
import type { OrchestratorContext } from "./context";
import { uuidv7 } from "./ids";
import { qualityIntakeRead } from "./quality-reads";
import { currentRequestContext } from "./observability/request-context";
import { TASK_JOB_NAME, serviceQueueName, taskJobId, type JobOptions, type TaskPayload } from "./queues";
import { withTimeout } from "./timeout";

export type IncomingDocument = {
  bytes: Uint8Array<ArrayBuffer>;
  filename: string;
  mimeType: string;
  sha256: string;
  pages?: number | null;
  /**
   * Text the caller already extracted (cheap types, at the door): stored with a new document
   * row, so the workers read it instead of extracting the same bytes again.
   */
  extracted?: { text: string; pageTexts: string[]; extraction: Prisma.InputJsonObject } | null;
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
  /** The gateway's request id, carried in the queue payloads so workers can log it. */
  requestId?: string | null;
  /**
   * Scoped by the caller (see Job.idempotencyKey): when a job with this key exists, nothing is
   * written or enqueued and that job is returned with `replayed: true`.
   */
  idempotencyKey?: string | null;
  /**
   * The API key's limits, enforced in the intake call itself (under a per-key lock, so
   * concurrent uploads cannot all pass; see migration submit_job_limits): a job over one is
   * refused with JobLimitError.
   */
  limits?: { maxActiveJobs: number; dailyQuota: number | null } | null;
  /**
   * The caller tells its client nothing until the job is final, or until it has called
   * flushAcceptedJob (a synchronous request): the intake then commits without waiting for its
   * WAL flush. The job's closing commit, which waits, comes later in the WAL and flushes it too;
   * if Postgres crashes first, the client was told nothing and sends again.
   */
  answersWhenFinal?: boolean;
  /**
   * The new job's id, when the caller must know it before the intake (see `beforeEnqueue`);
   * otherwise one is made. A replay answers with the earlier job's id instead.
   */
  jobId?: string;
  /**
   * Awaited between the intake and the enqueue (only for a new job): e.g. the caller's
   * subscription to the job's events, which then cannot miss them. Its failure is ignored.
   */
  beforeEnqueue?: Promise<unknown>;
};

/** Counts of the submitting key before this job, as the intake saw them (null: not counted). */
export type KeyCounts = { active: number | null; today: number | null };

/** A key's limit refused the job: nothing was written. */
export class JobLimitError extends Error {
  constructor(
    readonly code: "too_many_concurrent_jobs" | "daily_quota_exceeded",
    readonly counts: KeyCounts,
  ) {
    super(code === "too_many_concurrent_jobs" ? "The key has as many jobs queued or running as it may." : "The key's daily quota is used up.");
  }
}

export type SubmittedJob = {
  jobId: string;
  documentId: string;
  createdAt: Date;
  /** Service name → task id. */
  taskIds: Record<string, string>;
  enqueued: boolean;
  /** An earlier job with the same idempotency key (nothing new was written). */
  replayed: boolean;
  /** The key's counts before this job, when it has limits (see SubmitInput.limits). */
  keyCounts: KeyCounts;
};

const ENQUEUE_TIMEOUT_MS = 3_000;

/** An id for a job about to be submitted (SubmitInput.jobId). */
export const newJobId = (): string => uuidv7();

/**
 * Accepts a job: Postgres first, then the queue. If Redis is down the job stays `queued` with
 * no `enqueuedAt`, and the reconciler enqueues it later: nothing accepted is lost.
 *
 * One call to docgate_submit_job (migration submit_job_function): the document (kept by sha256),
 * the job and its tasks, then the `job.create` audit row, whose hash Postgres finishes (SHA-256
 * over the same canonical text `writeAudit` hashes) with the previous row's hash it reads under
 * the audit lock (docgate_append_audit). The lock is held only for that insert and the commit.
 */
export async function submitJob(ctx: OrchestratorContext, input: SubmitInput): Promise<SubmittedJob> {
  const inserted = await insertJobWithRetries(ctx.db, input);
  if (inserted === "key_taken") return replay(ctx.db, input.idempotencyKey!);
  const { jobId, documentId, newDocument, createdAt, taskIds, keyCounts, intakeReads } = inserted;
  await input.beforeEnqueue?.catch(() => {});
  const documentText = newDocument ? inlineText(input.document) : undefined;
  const enqueued = await enqueueTasks(ctx, {
    jobId, documentId, newDocument, sha256: input.document.sha256, options: input.options,
    documentText, awaited: input.answersWhenFinal === true,
    // Made for the text the payload carries: a task without it reads for itself.
    intakeReads: documentText ? intakeReads : null,
    // REST passes it; the MCP gateway's process_document runs inside the same request context.
    requestId: input.requestId ?? currentRequestContext()?.requestId,
    tasks: input.services.map((s) => ({ id: taskIds[s.name]!, service: s.name, tool: s.tool })),
  }).then(() => true, () => false);
  if (enqueued) markEnqueued(ctx.db, jobId);
  return { jobId, documentId, createdAt, taskIds, enqueued, replayed: false, keyCounts };
}

// Keys whose last intake here was near a limit (until when): their next intake locks the key
// exclusively at once instead of finding out under the shared lock and calling again.
const NEAR_LIMIT_MEMORY_MS = 5_000;
const nearLimitKeys = new Map<string, number>();

async function insertJobWithRetries(db: Db, input: SubmitInput) {
  const keyId = input.apiKeyId ?? "";
  let exclusive = (nearLimitKeys.get(keyId) ?? 0) > Date.now();
  // Once more if the document row vanished between our insert and our look; once more with the
  // key locked exclusively if the key turned out to be near a limit.
  for (let attempt = 0; attempt < 3; attempt++) {
    const inserted = await insertJob(db, input, exclusive);
    if (inserted === "near_limit") {
      if (nearLimitKeys.size > 10_000) nearLimitKeys.clear();
      nearLimitKeys.set(keyId, Date.now() + NEAR_LIMIT_MEMORY_MS);
      exclusive = true;
      continue;
    }
    if (inserted) return inserted;
  }
  throw new Error("The document row could not be written; try again.");
}

async function replay(db: Db, idempotencyKey: string): Promise<SubmittedJob> {
  const job = await db.job.findUniqueOrThrow({ where: { idempotencyKey }, include: { tasks: { select: { id: true, service: true } } } });
  return {
    jobId: job.id, documentId: job.documentId, createdAt: job.createdAt,
    taskIds: Object.fromEntries(job.tasks.map((t) => [t.service, t.id])), enqueued: job.enqueuedAt !== null, replayed: true,
    keyCounts: { active: null, today: null },
  };
}

// Two-key advisory locks live apart from the single-key audit lock (see aggregate.ts for "jobs").
const KEY_LOCK_CLASS = 0x6b657973; // "keys"
const DOCUMENT_ID_HOLE = "\u0000documentId\u0000";
const PREV_HASH_HOLE = "\u0000prevHash\u0000";

/**
 * Null when the document row with the same bytes vanished between our insert and our look (retry
 * once); "key_taken" when a job with the same idempotency key exists; "near_limit" when the key
 * must be locked exclusively to count (call again with `exclusive`). Throws JobLimitError when
 * the key's limits refuse the job. Nothing is written in any of these cases.
 */
async function insertJob(db: Db, input: SubmitInput, exclusive: boolean) {
  const { document } = input;
  const now = new Date();
  const jobId = input.jobId ?? uuidv7(now.getTime());
  const taskIds = Object.fromEntries(input.services.map((s) => [s.name, uuidv7(now.getTime())]));
  const names = input.services.map((s) => s.name);
  const extracted = document.extracted ?? null;
  const pages = document.pages ?? (extracted ? extracted.pageTexts.length : null);
  const documentId = uuidv7(now.getTime());

  const reads = intakeReads(input, now);

  const actorId = "id" in input.actor ? (input.actor.id ?? null) : null;
  const metadata = { sha256: document.sha256, services: names };
  const [p0, p1, p2] = auditCanonicalPieces({
    at: now, actorType: input.actor.type, actorId, action: "job.create", target: jobId,
    ip: input.ip ?? null, userAgent: input.userAgent ?? null,
    metadata: { ...metadata, documentId: DOCUMENT_ID_HOLE }, prevHash: PREV_HASH_HOLE,
  }, [DOCUMENT_ID_HOLE, PREV_HASH_HOLE]);

  const key = input.idempotencyKey ?? null;
  const limits = input.apiKeyId ? (input.limits ?? null) : null;
  const dayStart = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  // One call, one round trip: docgate_submit_job (migration submit_job_function) writes the rows
  // and then appends the audit row under the audit lock, in the call's own transaction.
  const quickCommit = input.answersWhenFinal ? sql`(SELECT set_config('synchronous_commit', 'off', true)) AS quick_commit, ` : sql``;
  const [row] = await fastSql(db).query<{
    documentId: string | null; jobId: string | null; keyTaken: boolean; refused: string | null; active: number | null; today: number | null;
    intakeReads?: Record<string, unknown> | null;
  }>(sql`
    SELECT "documentId", "jobId", "keyTaken", "refused", "active", "today"${reads.columns} FROM ${quickCommit}docgate_submit_job(
      ${documentId}::text, ${document.sha256}::text, ${document.filename}::text, ${document.mimeType}::text,
      ${document.bytes.byteLength}::int, ${pages}::int, ${document.bytes}::bytea, ${extracted?.text ?? null}::text,
      ${extracted && !isOnePage(extracted) ? JSON.stringify(extracted.pageTexts) : null}::jsonb,
      ${extracted ? JSON.stringify({ extraction: extracted.extraction }) : null}::jsonb, ${extracted ? utcTimestamp(now) : null}::timestamp(3),
      ${utcTimestamp(now)}, ${jobId}::text, ${names}::text[], ${names.map((n) => taskIds[n]!)}::text[], ${input.services.map((s) => s.tool)}::text[],
      ${JSON.stringify(input.options)}::jsonb, ${input.apiKeyId ?? null}::text, ${input.userId ?? null}::text, ${key}::text,
      ${AUDIT_LOCK}::bigint, ${input.actor.type}::text, ${actorId}::text, ${input.ip ?? null}::text, ${input.userAgent ?? null}::text,
      ${JSON.stringify(metadata)}::jsonb, ${p0}::text, ${p1}::text, ${p2}::text,
      ${KEY_LOCK_CLASS}::int, ${limits?.maxActiveJobs ?? null}::int, ${limits?.dailyQuota ?? null}::int, ${utcTimestamp(dayStart)}, ${exclusive}::boolean,
      ${reads.simhash}::text)`);
  const keyCounts: KeyCounts = { active: row?.active ?? null, today: row?.today ?? null };
  if (row?.refused === "near_limit") return "near_limit" as const;
  if (row?.refused) throw new JobLimitError(row.refused as JobLimitError["code"], keyCounts);
  if (row?.jobId && row.documentId) {
    // Our id came back: the bytes were new, and this job's intake wrote the document row.
    return { jobId, documentId: row.documentId, newDocument: row.documentId === documentId, createdAt: now, taskIds, keyCounts, intakeReads: row.intakeReads ?? null };
  }
  // Our job was not written: another job holds the key, or the document row vanished between
  // our insert and our look (retry once).
  if (row?.keyTaken) return "key_taken" as const;
  return null;
}

/**
 * Reads the job's tasks would make from Postgres before their calls, made by the intake
 * statement instead, as extra columns (`intakeReads`: service name → its read's value): each task
 * finds its value in its payload (TaskPayload.intakeRead) and needs no statement before its call.
 * Only for text extracted at the door and small enough to ride in the payloads (the tasks of
 * other documents read the text from Postgres, and read the rest with it). Today that is the
 * quality service's profile and signature look-up (quality-reads.ts); `simhash` is stored with a
 * new document row.
 */
function intakeReads(input: SubmitInput, now: Date): { columns: SqlFragment; simhash: string | null } {
  const text = input.document.extracted?.text;
  const none = { columns: sql``, simhash: null };
  if (text === undefined || text.length > INLINE_TEXT_MAX_CHARS) return none;
  const quality = input.services.find((s) => s.name === "quality");
  const read = quality ? qualityIntakeRead(quality.tool, input.options, text, now) : null;
  if (!read) return none;
  return { columns: sql`, json_build_object('quality', ${read.read}) AS "intakeReads"`, simhash: read.simhash };
}

/**
 * Makes every commit so far durable, the job's intake among them: a commit that wrote WAL waits
 * for its flush, which covers everything before it in the WAL. (A transaction that wrote nothing
 * does not wait, whatever the setting: hence a real write, of the job's row, changing nothing.)
 * Call before telling a client about a job accepted with `answersWhenFinal` that is not final
 * yet (a synchronous request whose wait ended).
 */
export async function flushAcceptedJob(db: Db, jobId: string): Promise<void> {
  await fastSql(db).query(sql`UPDATE "Job" SET "enqueuedAt" = "enqueuedAt" WHERE "id" = ${jobId}`);
}

type EnqueueInput = {
  jobId: string;
  documentId: string;
  /** The intake wrote the document row (first time these bytes are seen): see TaskPayload.newDocument. */
  newDocument?: boolean;
  /** See TaskPayload.documentText. */
  documentText?: TaskPayload["documentText"];
  /** See TaskPayload.awaited. */
  awaited?: boolean;
  /** Service name → what the intake read for its task (see intakeReads, TaskPayload.intakeRead). */
  intakeReads?: Record<string, unknown> | null;
  sha256: string;
  options: JobOptions;
  tasks: { id: string; service: string; tool: string }[];
  requestId?: string;
};

/**
 * Puts a job's unfinished tasks on their service queues. Idempotent: job ids are deterministic,
 * so BullMQ ignores a repeat. Reads the job from Postgres (the reconciler's and retry's way in;
 * submitJob passes what it just wrote). There is no parent job: the last task's result write
 * closes the job (settleTask), and the reconciler ends what a lost task would leave open.
 */
export async function enqueueJob(ctx: OrchestratorContext, jobId: string): Promise<void> {
  const job = await ctx.db.job.findUniqueOrThrow({
    where: { id: jobId },
    include: {
      document: { select: { id: true, sha256: true } },
      tasks: { where: { status: { in: ["queued", "running"] } } },
    },
  });
  await enqueueTasks(ctx, {
    jobId, documentId: job.document.id, sha256: job.document.sha256, options: job.options as JobOptions,
    tasks: job.tasks.map((t) => ({ id: t.id, service: t.service, tool: t.tool })),
  });
  await ctx.db.job.update({ where: { id: jobId }, data: { enqueuedAt: new Date() } });
}

async function enqueueTasks(ctx: OrchestratorContext, input: EnqueueInput): Promise<void> {
  const retries = await serviceRetries(ctx.db);
  const { jobId, requestId } = input;
  const traceparent = currentRequestContext()?.traceparent;
  // One add per service queue, sent back to back on one connection. If Redis fails between
  // them, the reconciler finds the missing entry and enqueues the job again.
  const adds = input.tasks.map((task) => {
    const data: TaskPayload = {
      v: 1, jobId, taskId: task.id, service: task.service, tool: task.tool,
      documentId: input.documentId, sha256: input.sha256, options: input.options, ...(requestId ? { requestId } : {}),
      ...(traceparent ? { traceparent } : {}), ...(input.newDocument ? { newDocument: true } : {}),
      ...(input.documentText ? { documentText: input.documentText } : {}), ...(input.awaited ? { awaited: true } : {}),
      ...(input.intakeReads && task.service in input.intakeReads ? { intakeRead: input.intakeReads[task.service] } : {}),
    };
    return ctx.queue(serviceQueueName(task.service)).add(TASK_JOB_NAME, data, {
      jobId: taskJobId(task.id),
      attempts: (retries.get(task.service) ?? 2) + 1,
      backoff: { type: "exponential", delay: 250 },
      removeOnComplete: 1000,
      removeOnFail: 5000,
    });
  });
  await withTimeout(Promise.all(adds), ENQUEUE_TIMEOUT_MS, "enqueue timed out");
}

/**
 * Text this short rides along in the task payloads (TaskPayload.documentText): each of a job's
 * queue entries holds a copy, and completed entries are kept a while (removeOnComplete), so the
 * bound keeps Redis's share small; past it, tasks read the text from Postgres as usual.
 */
export const INLINE_TEXT_MAX_CHARS = 8 * 1024;

/**
 * The only page is the whole text (plain text, Markdown, e-mail): "pageTexts" is stored as null
 * and left out of payloads, which every reader takes as `[text]` (it was a second copy of the text).
 */
const isOnePage = (extracted: { text: string; pageTexts: string[] }) => extracted.pageTexts.length === 1 && extracted.pageTexts[0] === extracted.text;

function inlineText(document: IncomingDocument): TaskPayload["documentText"] {
  const extracted = document.extracted;
  if (!extracted || extracted.text.length > INLINE_TEXT_MAX_CHARS) return undefined;
  return {
    mimeType: document.mimeType,
    text: extracted.text,
    ...(isOnePage(extracted) ? {} : { pageTexts: extracted.pageTexts }),
    extraction: extracted.extraction as Record<string, unknown>,
  };
}

// Retry counts change only when an admin edits a service; a few seconds' delay is harmless.
const RETRIES_TTL_MS = 5_000;
const retriesCache = new WeakMap<Db, { until: number; value: Promise<Map<string, number>> }>();

function serviceRetries(db: Db): Promise<Map<string, number>> {
  const hit = retriesCache.get(db);
  if (hit && hit.until > Date.now()) return hit.value;
  const value = db.service.findMany({ select: { name: true, retries: true } }).then((rows) => new Map(rows.map((r) => [r.name, r.retries])));
  retriesCache.set(db, { until: Date.now() + RETRIES_TTL_MS, value });
  value.catch(() => retriesCache.delete(db));
  return value;
}

// `enqueuedAt` is bookkeeping (nothing decides on it: the reconciler asks Redis), so the
// stamps of the jobs enqueued in the same few milliseconds are written by one UPDATE, which
// does not wait for the disk (a stamp lost in a crash costs nothing).
const ENQUEUED_FLUSH_MS = 20;
const enqueuedBatches = new WeakMap<Db, Set<string>>();

function markEnqueued(db: Db, jobId: string): void {
  let batch = enqueuedBatches.get(db);
  if (batch) {
    batch.add(jobId);
    return;
  }
  batch = new Set([jobId]);
  enqueuedBatches.set(db, batch);
  const timer = setTimeout(() => {
    enqueuedBatches.delete(db);
    const ids = [...batch!];
    fastSql(db).query(sql`UPDATE "Job" SET "enqueuedAt" = ${utcTimestamp(new Date())}
                          FROM (SELECT set_config('synchronous_commit', 'off', true)) AS quick_commit
                          WHERE "id" = ANY(${ids}::text[]) AND "enqueuedAt" IS NULL`).catch(() => {});
  }, ENQUEUED_FLUSH_MS);
  timer.unref?.();
}
