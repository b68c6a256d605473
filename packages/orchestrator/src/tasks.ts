import { Prisma, fastSql, sql, utcTimestamp, type SqlFragment } from "@docgate/db";
import type { OrchestratorContext } from "./context";
import { settleTask, type TaskFinal, type TaskStart } from "./aggregate";
import { publishJobEvent, publishJobEvents, type JobEvent } from "./events";
import type { TaskPayload } from "./queues";
import { DependencyUnavailableError, isDependencyUnavailable } from "./unavailable";

/** How a worker serves one task: where its cache entry lives, and the MCP call itself. */
export type TaskHandler = {
  /** Null disables caching for this payload. Includes everything that changes the answer. */
  cacheKey(payload: TaskPayload): Promise<string | null>;
  call(payload: TaskPayload, signal: AbortSignal): Promise<unknown>;
  /** The task's start statement also reads the document's stored text (one round trip instead of two). */
  readsDocument?: boolean;
  /**
   * The call is cheap and acts on nothing outside the worker (a built-in tool): a first run may
   * record its start with its result (see runTask), at the price of running the call for a task
   * cancelled while it waited. Left unset for calls to other servers.
   */
  startWithResult?: boolean;
  /**
   * What the task's start statement does for the handler besides starting the task, for work
   * every task of the service needs before its call (one round trip instead of more):
   * - `read`: a scalar subquery whose value (JSON or null) reaches `prefetch` as `startRead`;
   *   made only when the task starts;
   * - `write`: a data-modifying statement (UPDATE …, run as a CTE in the same transaction). It
   *   runs whether or not the task starts, so it must be harmless for a task that does not run
   *   (idempotent, derived from the document).
   */
  startWith?(payload: TaskPayload): { read: SqlFragment | null; write: SqlFragment | null } | null;
  /**
   * Starts the reads the cache key and the call will need (not awaited), so they overlap the
   * task's start and cache look-up instead of following them one by one. `document`: the
   * document's row when `readsDocument` is set, from the payload (TaskPayload.documentText) or
   * else from the start statement, null when the task did not start; `startRead`: the value of
   * the handler's `startWith` read (undefined when the task did not start or there was none).
   */
  prefetch?(payload: TaskPayload, reads: { document: Promise<StoredDocumentRow | null>; startRead: Promise<unknown> }): void;
};

/**
 * A document's stored text as the task's start statement reads it; `text` is null until it is
 * extracted, `pageTexts` null when the only page is the whole text.
 */
export type StoredDocumentRow = {
  id: string;
  mimeType: string;
  text: string | null;
  pageTexts: Prisma.JsonValue;
  metadata: Prisma.JsonValue;
  extractionError: string | null;
};

/** An error that no retry can fix (an unreadable document, bad arguments). */
export class PermanentTaskError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

export type TaskError = { code: string; message: string };

export type TaskOutcome =
  | { kind: "done"; status: "succeeded" | "failed" | "cancelled" }
  | { kind: "retry"; error: TaskError };

const CACHE_TTL_SECONDS = 7 * 24 * 3600;
/** How long a task runs before its `task.running` event is sent (see announceRunningAfter). */
export const RUNNING_EVENT_DELAY_MS = 100;
const FINAL = ["succeeded", "failed", "cancelled"] as const;

export const cacheRedisKey = (prefix: string, key: string) => `${prefix}:cache:${key}`;

/** A task that started without its start statement (deferred, see runTask): nothing read. */
const STARTED_UNRECORDED = { status: "running" as const, document: null, startRead: undefined };

/**
 * Runs one task once. Completion is idempotent: a task's result is written only while it is
 * not yet final, so a redelivered job (stalled worker, reconciler) never overwrites it.
 *
 * The start statement (startTask) is left out when it would only record the start: for a handler
 * that allows it (`startWithResult`), on the queue entry's first run (`attempt.firstRun`), with
 * the text in the payload (or none needed) and no `startWith`. The result's statement records
 * the start then (settleTask, `unrecordedStart`), or, should the task run past
 * RUNNING_EVENT_DELAY_MS, a start statement sent at that moment. A task that is final already (a
 * redelivery after a lost acknowledgement) or cancelled then runs its call for nothing, and its
 * result is not written. A run that kills its worker within that time leaves no start in
 * Postgres, but BullMQ counted it (attemptsStarted): the entry's next run is not a first run and
 * records its start before the call, so a document that keeps killing its worker is still told
 * from a lost task (reconcile.ts, gaveUp; this needs BullMQ to put a stalled entry back at least
 * once, maxStalledCount ≥ 1 in service-worker.ts).
 */
export async function runTask(
  ctx: OrchestratorContext,
  payload: TaskPayload,
  handler: TaskHandler,
  attempt: {
    number: number; max: number; timeoutMs: number; firstRun?: boolean;
    /**
     * Our own outage may send the task back to the worker (default). False once the entry has
     * waited out outages long enough (service-worker.ts): what still looks like one is then
     * treated as the task's own failure, so a failure mistaken for an outage cannot loop forever.
     */
    waitOutOutage?: boolean;
  },
): Promise<TaskOutcome> {
  // Before the start statement: a task that turns out to be final already (a redelivery) just
  // wastes its reads. The cache key's inputs are read meanwhile, and the cache look-up goes out
  // as soon as the key is known, so it overlaps the start statement instead of following it
  // (none for bytes seen for the first time: nothing can be cached for them yet).
  const carried = handler.readsDocument ? documentFromPayload(payload) : null;
  const extra = handler.startWith?.(payload) ?? null;
  const startedAt = new Date();
  const deferred = handler.startWithResult === true && attempt.firstRun === true && (!handler.readsDocument || carried !== null) && extra === null;
  let startSent!: () => void;
  const sent = new Promise<void>((resolve) => (startSent = resolve));
  const starting = deferred
    ? Promise.resolve(STARTED_UNRECORDED)
    : startTask(ctx, payload, { attempt: attempt.number, at: startedAt, withDocument: handler.readsDocument === true && !carried, extra, onSent: startSent });
  if (deferred) startSent();
  const startReads = starting.then((s) => s, () => ({ document: null, startRead: undefined }));
  handler.prefetch?.(payload, {
    document: carried ? Promise.resolve(carried) : startReads.then((s) => s.document),
    startRead: startReads.then((s) => s.startRead),
  });
  const keying = settled(handler.cacheKey(payload));
  const lookingUp = payload.newDocument ? Promise.resolve(null) : keying.then((k) => (k.ok && k.value ? readCache(ctx, k.value) : null));
  // With the text in the payload and no cache to ask, the call needs nothing the start statement
  // reads first (a handler's startWith read arrives as the call asks for it): it starts as soon as the
  // start statement is on its way (see callEarly), and a task that turns out not to run, or whose
  // start fails, drops its answer.
  const early = carried && payload.newDocument ? callEarly(handler, payload, attempt.timeoutMs, sent) : null;
  const { status: start } = await starting;
  if (start !== "running") return { kind: "done", status: start };
  const stopAnnouncing = deferred
    ? recordStartAfter(ctx, payload, { attempt: attempt.number, at: startedAt }, RUNNING_EVENT_DELAY_MS)
    : announceRunningAfter(ctx, payload, attempt.number, RUNNING_EVENT_DELAY_MS);
  const unrecordedStart = deferred ? { at: startedAt, attempt: attempt.number } : undefined;
  const started = early?.startedAt() ?? performance.now();
  try {
    const keyed = await keying;
    if (!keyed.ok) throw keyed.error;
    const key = keyed.value;
    const hit = await lookingUp;
    // Serialized once: the same text is the cache entry and the result written to Postgres.
    const outputJson = hit ?? storableJson(await fromTheCall(early ? unwrap(early.called) : callWithTimeout(handler, payload, attempt.timeoutMs)));
    await stopAnnouncing();
    const written = await finish(ctx, payload, {
      status: "succeeded",
      outputJson,
      cached: hit !== null,
      durationMs: Math.round(performance.now() - started),
    }, { cache: key && hit === null ? { key, value: outputJson } : undefined, unrecordedStart });
    return { kind: "done", status: written ? "succeeded" : await finalStatus(ctx, payload.taskId) };
  } catch (thrown) {
    await stopAnnouncing();
    // Our own Postgres or Redis failing (the cache key's reads, the result's write, a built-in
    // tool's reads) is not the task's fault: the worker tries it again later without spending an
    // attempt (service-worker.ts). A call's own failure, whatever its text says, is the task's.
    const ours = thrown instanceof DependencyUnavailableError || (!callFailures.has(thrown as object) && isDependencyUnavailable(thrown));
    if (ours && attempt.waitOutOutage !== false) throw thrown;
    const error = toTaskError(thrown);
    const permanent = thrown instanceof PermanentTaskError;
    if (!permanent && attempt.number < attempt.max) {
      const { count } = await ctx.db.jobTask.updateMany({
        where: { id: payload.taskId, status: { in: ["queued", "running"] } },
        data: { status: "queued", attempts: attempt.number, error: error as Prisma.InputJsonObject },
      });
      // A task cancelled (or finished by another run) meanwhile is not tried again.
      if (count === 0) return { kind: "done", status: await finalStatus(ctx, payload.taskId) };
      await publishJobEvent(ctx.redis, ctx.prefix, { type: "task.retrying", jobId: payload.jobId, service: payload.service, attempt: attempt.number, error: error.message });
      return { kind: "retry", error };
    }
    const written = await finish(ctx, payload, { status: "failed", error, durationMs: Math.round(performance.now() - started) }, { unrecordedStart });
    return { kind: "done", status: written ? "failed" : await finalStatus(ctx, payload.taskId) };
  }
}

/** The status of a task whose result this run did not write: final already, or cancelled (also when it no longer exists). */
async function finalStatus(ctx: OrchestratorContext, taskId: string): Promise<(typeof FINAL)[number]> {
  const task = await ctx.db.jobTask.findUnique({ where: { id: taskId }, select: { status: true } });
  return task && (FINAL as readonly string[]).includes(task.status) ? (task.status as (typeof FINAL)[number]) : "cancelled";
}

/**
 * For a task whose start was not recorded (see runTask): once it has run for `delayMs`, its start
 * statement records it, and `task.running` goes out (see announceRunningAfter) if it did start.
 * A task found final or cancelled by then goes on; its result is not written. The returned
 * function cancels what has not happened yet and waits for a start statement already sent, so
 * that the task's next write (its result, or its return to the queue) comes after it.
 */
function recordStartAfter(ctx: OrchestratorContext, payload: TaskPayload, start: { attempt: number; at: Date }, delayMs: number): () => Promise<void> {
  let stopped = false;
  let recording: Promise<void> | undefined;
  const timer = setTimeout(() => {
    recording = startTask(ctx, payload, { attempt: start.attempt, at: start.at, withDocument: false, extra: null }).then(
      ({ status }) => {
        if (status === "running" && !stopped) {
          void publishJobEvent(ctx.redis, ctx.prefix, { type: "task.running", jobId: payload.jobId, service: payload.service, attempt: start.attempt });
        }
      },
      () => {}, // the result's statement records the start (Postgres down: the task fails or waits like any other)
    );
  }, delayMs);
  return async () => {
    stopped = true;
    clearTimeout(timer);
    await recording;
  };
}

/**
 * `task.running` goes out only once the task has run for `delayMs`: watchers see the progress of
 * work long enough to watch, and a task that ends sooner costs one event (`task.finished`)
 * instead of two, to Redis and to every gateway copy listening. The returned function cancels a
 * pending announcement; call it before any later event of the task (one connection keeps the
 * order of what was sent).
 */
function announceRunningAfter(ctx: OrchestratorContext, payload: TaskPayload, attempt: number, delayMs: number): () => void {
  const timer = setTimeout(() => {
    void publishJobEvent(ctx.redis, ctx.prefix, { type: "task.running", jobId: payload.jobId, service: payload.service, attempt });
  }, delayMs);
  return () => clearTimeout(timer);
}

/**
 * The call started before the task's start statement answered (see runTask), and when it started.
 * It waits until that statement has been written to its connection: should the tool then kill
 * the process, Postgres still records that the task started, which is what lets the reconciler
 * tell a task that keeps killing its worker from one that was lost (reconcile.ts, gaveUp). A
 * start that fails before it is sent never starts the call. (A first run whose start is left to
 * its result does not wait: BullMQ's count of starts covers it, see runTask.)
 */
function callEarly(handler: TaskHandler, payload: TaskPayload, timeoutMs: number, startSent: Promise<void>) {
  let at = performance.now();
  const called = settled(startSent.then(() => {
    at = performance.now();
    return callWithTimeout(handler, payload, timeoutMs);
  }));
  return { called, startedAt: () => at };
}

/** What the handler's call threw (see runTask's catch). */
const callFailures = new WeakSet<object>();

function fromTheCall<T>(calling: Promise<T>): Promise<T> {
  return calling.catch((error: unknown) => {
    if (error !== null && typeof error === "object") callFailures.add(error);
    throw error;
  });
}

/**
 * The output as JSON text that Postgres's jsonb takes: it refuses the NUL character (`\u0000`),
 * which a remote tool may send; each becomes U+FFFD. (An even run of backslashes before
 * `u0000` is escaped backslashes followed by text, and stays.)
 */
function storableJson(output: unknown): string {
  const json = JSON.stringify(output);
  return json.includes("\\u0000") ? json.replace(/(?<!\\)((?:\\\\)*)\\u0000/g, "$1\\ufffd") : json;
}

async function unwrap<T>(outcome: Promise<{ ok: true; value: T } | { ok: false; error: unknown }>): Promise<T> {
  const settledOutcome = await outcome;
  if (!settledOutcome.ok) throw settledOutcome.error;
  return settledOutcome.value;
}

/** The document's row as the intake stored it, from TaskPayload.documentText; null when the payload has none. */
function documentFromPayload(payload: TaskPayload): StoredDocumentRow | null {
  const carried = payload.documentText;
  if (!carried) return null;
  return {
    id: payload.documentId,
    mimeType: carried.mimeType,
    text: carried.text,
    pageTexts: carried.pageTexts ?? null,
    metadata: { extraction: carried.extraction } as Prisma.JsonObject,
    extractionError: null,
  };
}

/** A promise's outcome as a value: it may be awaited later, or never, without an unhandled rejection. */
function settled<T>(promise: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  return promise.then((value) => ({ ok: true as const, value }), (error: unknown) => ({ ok: false as const, error }));
}

/**
 * Marks the task (and its job, the first time) running, in one statement, which also reads the
 * document's stored text and makes the handler's `startWith` read and write, when asked.
 * A task already final (a redelivered job) is left alone and its status returned; a task that
 * no longer exists counts as cancelled.
 *
 * Its commit does not wait for the WAL to reach the disk (synchronous_commit off for this
 * transaction only): the mark is bookkeeping. If Postgres crashed within the ~200 ms before the
 * WAL writer flushes it, the task would read `queued` with its attempt uncounted until its result
 * is written (settling accepts a queued task). Saves a WAL flush per task, and the job row's lock,
 * which both of a job's tasks take, is held for less time.
 */
async function startTask(
  ctx: OrchestratorContext,
  payload: TaskPayload,
  options: {
    attempt: number;
    at: Date;
    withDocument: boolean;
    extra: { read: SqlFragment | null; write: SqlFragment | null } | null;
    onSent?: () => void;
  },
): Promise<{ status: "running" | (typeof FINAL)[number]; document: StoredDocumentRow | null; startRead: unknown }> {
  const { attempt, withDocument, onSent } = options;
  const now = utcTimestamp(options.at);
  const { read: startRead = null, write: startWrite = null } = options.extra ?? {};
  const [row] = await fastSql(ctx.db).query<{ started: number; status: string | null; startRead?: unknown } & Partial<StoredDocumentRow>>(sql`
    WITH task AS (
      UPDATE "JobTask" SET "status" = 'running', "attempts" = ${attempt}, "startedAt" = ${now}
      WHERE "id" = ${payload.taskId} AND "status" IN ('queued', 'running')
      RETURNING "id"
    ), job AS (
      UPDATE "Job" SET "status" = 'running', "startedAt" = ${now}
      WHERE "id" = ${payload.jobId} AND "status" = 'queued' AND EXISTS (SELECT 1 FROM task)
    )${startWrite ? sql`, handler_write AS (${startWrite})` : sql``}
    SELECT (SELECT count(*) FROM task)::int AS "started",
           (SELECT "status"::text FROM "JobTask" WHERE "id" = ${payload.taskId}) AS "status",
           d."id", d."mimeType", d."text", d."pageTexts", d."metadata", d."extractionError"${startRead ? sql`,
           CASE WHEN EXISTS (SELECT 1 FROM task) THEN ${startRead} END AS "startRead"` : sql``}
    FROM (SELECT set_config('synchronous_commit', 'off', true)) AS quick_commit
    LEFT JOIN "Document" d ON ${withDocument} AND d."id" = ${payload.documentId} AND EXISTS (SELECT 1 FROM task)`, { onSent });
  if (row && row.started > 0) {
    const document = row.id ? (row as StoredDocumentRow) : null;
    return {
      status: "running",
      document: document && { id: document.id, mimeType: document.mimeType, text: document.text, pageTexts: document.pageTexts, metadata: document.metadata, extractionError: document.extractionError },
      startRead: row.startRead,
    };
  }
  const status = row?.status;
  return { status: status && (FINAL as readonly string[]).includes(status) ? (status as (typeof FINAL)[number]) : "cancelled", document: null, startRead: undefined };
}

type TaskRef = Pick<TaskPayload, "jobId" | "taskId" | "service">;

/**
 * Writes the result (settleTask), then sends in one Redis round trip what follows from it: the
 * cache entry (a cache is an optimisation: written after the result, lost if Redis is down), the
 * task's event and, when this result closed the job, the job's, with the job's final view (a
 * waiting request answers with it instead of reading the job again). True when the result was
 * written (false: the task was final already, or cancelled).
 */
async function finish(
  ctx: OrchestratorContext,
  payload: TaskRef & Pick<Partial<TaskPayload>, "awaited">,
  result: TaskFinal,
  options: { cache?: { key: string; value: string } | undefined; unrecordedStart?: TaskStart | undefined } = {},
) {
  const { cache, unrecordedStart } = options;
  const { written, jobStatus, view } = await settleTask(ctx, payload.jobId, payload.taskId, result, {
    publish: false, withView: payload.awaited === true, ...(unrecordedStart ? { unrecordedStart } : {}),
  });
  const events: JobEvent[] = [];
  if (written) {
    events.push({ type: "task.finished", jobId: payload.jobId, service: payload.service, status: result.status, cached: result.status === "succeeded" && result.cached });
  }
  if (jobStatus) events.push({ type: "job.finished", jobId: payload.jobId, status: jobStatus, ...(view ? { view } : {}) });
  await publishJobEvents(ctx.redis, ctx.prefix, events, cache && ((pipeline) => {
    pipeline.set(cacheRedisKey(ctx.prefix, cache.key), cache.value, "EX", CACHE_TTL_SECONDS);
  }));
  return written;
}

/**
 * A task whose queue job gave up without the task's own write (it stalled past the limit, or its
 * payload could not be read): failed as lost, and its job closed if it was the last one open.
 */
export async function failLostTask(ctx: OrchestratorContext, task: TaskRef, reason: string) {
  await finish(ctx, task, {
    status: "failed",
    error: { code: "task_lost", message: reason.slice(0, MAX_ERROR_MESSAGE) || "The task ended without a result." },
    durationMs: null,
  });
}

async function callWithTimeout(handler: TaskHandler, payload: TaskPayload, timeoutMs: number): Promise<unknown> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(Object.assign(new Error(`The ${payload.service} service did not answer within ${timeoutMs} ms.`), { code: "timeout" }));
    }, timeoutMs);
  });
  try {
    return await Promise.race([handler.call(payload, controller.signal), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The cached output as stored (JSON text); null on a miss or when Redis fails (a cache is an optimisation). */
async function readCache(ctx: OrchestratorContext, key: string): Promise<string | null> {
  try {
    return await ctx.redis.get(cacheRedisKey(ctx.prefix, key));
  } catch {
    return null;
  }
}

/** Error text can come from a remote server's body: kept to a readable size. */
const MAX_ERROR_MESSAGE = 2_000;

function toTaskError(thrown: unknown): TaskError {
  const error = thrown as { code?: unknown; message?: unknown };
  const code = thrown instanceof PermanentTaskError || (typeof error?.code === "string" && /^[a-z_]+$/.test(error.code)) ? String(error.code) : "service_error";
  // Without NUL characters, which Postgres's jsonb refuses (a remote tool's text may hold them).
  const text = typeof error?.message === "string" ? error.message.replaceAll("\u0000", "") : "";
  return { code, message: text ? text.slice(0, MAX_ERROR_MESSAGE) : "The service failed without a message." };
}
