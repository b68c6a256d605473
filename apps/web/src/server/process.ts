import { createHash } from "node:crypto";
import type { Prisma } from "@docgate/db";
import { extractText, inspectDocument, sniffType, SUPPORTED_TYPES, toStoredExtraction, UnreadableDocumentError } from "@docgate/mcp/extraction";
import { acceptedJobView, currentRequestContext, flushAcceptedJob, JobListener, newJobId, waitForJobView, type IncomingDocument, type JobOptions, type JobView } from "@docgate/orchestrator";
import { serverContext } from "./context";
import { clientAddress } from "./access/deny";
import { env } from "./env";
import { ProcessFieldsSchema, WaitQuerySchema } from "./api-schemas";
import { ApiError, invalidInput } from "./errors";
import { requireKnownJobOptions } from "./job-options";
import { loadCatalog } from "./mcp/catalog";
import { chooseServices } from "./services";
import { auditActor, principalHeaders, requireJobCapacity, requireRole, requireServices, type Principal } from "./principal";
import { readUpload } from "./upload";
import { submitAs } from "./intake";
import { stopping } from "./stopping";
import { withLinkedSignal } from "./linked-signal";

export type ProcessResult = {
  job: JobView;
  finished: boolean;
  /** `X-RateLimit-*` for the response (empty for console sessions). */
  headers: Record<string, string>;
};

/** POST /api/v1/process: validate, accept into Postgres, enqueue, then wait (bounded). */
export async function processRequest(request: Request, principal: Principal): Promise<ProcessResult> {
  requireRole(principal, "operator");
  const idempotencyKey = readIdempotencyKey(request, principal);
  // Checked before the body is read, so a key at its limits costs no upload (the intake call
  // enforces them). A replay of a job already accepted is not a new job: it must not be refused
  // for the job it asks about.
  if (!idempotencyKey || !(await jobWithKeyExists(idempotencyKey))) await requireJobCapacity(principal);
  const query = WaitQuerySchema.safeParse(Object.fromEntries(new URL(request.url).searchParams));
  if (!query.success) throw invalidInput(query.error);
  const upload = await readUpload(request, env().DOCGATE_MAX_UPLOAD_BYTES);
  if (!upload.file) throw new ApiError(400, "missing_document", "Attach the document as the multipart file field `document`.");
  if (upload.file.bytes.byteLength === 0) throw new ApiError(400, "empty_document", "The document is empty (0 bytes).");

  const { db, events } = serverContext();
  const fields = ProcessFieldsSchema.safeParse({
    services: (upload.fields.get("services") ?? []).flatMap((v) => v.split(",")).map((v) => v.trim()).filter(Boolean),
    taxonomy: upload.fields.get("taxonomy")?.[0],
    profile: upload.fields.get("profile")?.[0],
  });
  if (!fields.success) throw invalidInput(fields.error);
  // The enabled services from the per-process catalog the MCP gateway also uses (short TTL).
  const services = chooseServices(fields.data.services, [...(await loadCatalog()).services.values()]);
  requireServices(principal, services.map((s) => s.name));
  const options = {
    ...(fields.data.taxonomy ? { taxonomy: fields.data.taxonomy } : {}),
    ...(fields.data.profile ? { profile: fields.data.profile } : {}),
  };
  await requireKnownJobOptions(options);

  const sniffed = await sniffType(upload.file.bytes);
  if (!sniffed.ok) {
    throw new ApiError(415, "unsupported_type",
      `This kind of file is not supported${sniffed.detected ? ` (${sniffed.detected})` : ""}: send PDF, DOCX, HTML, Markdown, e-mail (.eml) or plain text.`);
  }
  let pages: number | undefined;
  try {
    pages = (await inspectDocument(upload.file.bytes, sniffed.mimeType)).pages;
  } catch (error) {
    if (error instanceof UnreadableDocumentError) throw new ApiError(422, "unreadable_document", error.message);
    throw error;
  }

  const document: IncomingDocument = {
    bytes: upload.file.bytes,
    filename: upload.file.filename,
    mimeType: sniffed.mimeType,
    sha256: createHash("sha256").update(upload.file.bytes).digest("hex"),
    pages: pages ?? null,
    extracted: await extractAtTheDoor(upload.file.bytes, sniffed.mimeType),
  };
  // A synchronous request listens for its job's end from before the tasks are enqueued (the
  // subscription is made while the intake runs), so its wait need not read the job first.
  const jobId = newJobId();
  const listening = query.data.wait > 0 ? JobListener.open(events, jobId) : null;
  try {
    const submitted = await submitAs(principal, {
      document,
      services,
      options,
      actor: auditActor(principal),
      apiKeyId: principal.kind === "api_key" ? principal.id : null,
      userId: principal.kind === "user" ? principal.id : null,
      ip: clientIp(request),
      userAgent: request.headers.get("user-agent"),
      requestId: currentRequestContext()?.requestId ?? null,
      idempotencyKey,
      answersWhenFinal: query.data.wait > 0,
      jobId,
      beforeEnqueue: listening ?? undefined,
    });

    const headers = principalHeaders(principal);
    if (submitted.replayed) {
      // Services left to the default are compared only when named: the enabled set may have changed since.
      const named = fields.data.services.length ? services.map((s) => s.name) : null;
      await requireSameRequest(submitted.jobId, { sha256: document.sha256, services: named, options });
      headers["Idempotent-Replayed"] = "true";
    }
    if (query.data.wait === 0 && !submitted.replayed) {
      const job = acceptedJobView({
        id: submitted.jobId, createdAt: submitted.createdAt, services: services.map((s) => s.name), options,
        document: { id: submitted.documentId, filename: document.filename, mimeType: document.mimeType, sizeBytes: document.bytes.byteLength, sha256: document.sha256, pages: document.pages ?? null },
      });
      return { job, finished: false, headers };
    }
    const listener = submitted.jobId === jobId ? await listening! : undefined;
    const waited = await withLinkedSignal([request.signal, stopping()], (signal) =>
      waitForJobView(db, events, submitted.jobId, { timeoutMs: query.data.wait * 1000, signal, listener }));
    if (!waited) throw new ApiError(500, "internal_error", "The job vanished after it was accepted.");
    // A final job's closing commit reached the disk; an open one's intake may not have yet.
    if (!waited.finished) await flushAcceptedJob(db, submitted.jobId);
    return { job: waited.view, finished: waited.finished, headers };
  } finally {
    void listening?.then((listener) => listener.close()); // the wait closes it too; twice is harmless
  }
}

/**
 * `Idempotency-Key`: a client that lost its answer (a dropped connection, a gateway that died
 * while it waited) sends the same request again with the same key and gets the same job instead
 * of a second one. Keys are the caller's own (scoped by API key or user) and kept with the job.
 */
function readIdempotencyKey(request: Request, principal: Principal): string | null {
  const key = request.headers.get("idempotency-key");
  if (key === null) return null;
  if (!/^[\x21-\x7e]{1,200}$/.test(key)) {
    throw new ApiError(400, "invalid_idempotency_key", "Idempotency-Key must be 1 to 200 printable ASCII characters without spaces.");
  }
  return `${principal.kind}:${principal.id}:${key}`;
}

async function jobWithKeyExists(idempotencyKey: string): Promise<boolean> {
  return (await serverContext().db.job.count({ where: { idempotencyKey } })) > 0;
}

/** A key names one request: the same key with another document, services or options is refused. */
async function requireSameRequest(jobId: string, request: { sha256: string; services: string[] | null; options: JobOptions }) {
  const job = await serverContext().db.job.findUniqueOrThrow({ where: { id: jobId }, select: { services: true, options: true, document: { select: { sha256: true } } } });
  const same = job.document.sha256 === request.sha256
    && (request.services === null || [...job.services].sort().join(",") === [...request.services].sort().join(","))
    && JSON.stringify(sortKeys(job.options)) === JSON.stringify(sortKeys(request.options));
  if (!same) {
    throw new ApiError(422, "idempotency_key_reused", "This Idempotency-Key was already used for a different request (another document, services or options).");
  }
}

const sortKeys = (value: unknown) => Object.fromEntries(Object.entries((value ?? {}) as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)));

/** Plain text this small costs less to extract here than a worker's extra round trips; the workers do the rest, once. */
const EXTRACT_AT_THE_DOOR_MAX_BYTES = 256 * 1024;

async function extractAtTheDoor(bytes: Uint8Array, mimeType: string): Promise<IncomingDocument["extracted"]> {
  if (mimeType !== SUPPORTED_TYPES.text || bytes.byteLength > EXTRACT_AT_THE_DOOR_MAX_BYTES) return null;
  try {
    const extracted = await extractText(bytes, SUPPORTED_TYPES.text);
    return {
      // Postgres text cannot hold NUL; nothing downstream needs it (as the workers store it).
      text: extracted.text.replaceAll("\u0000", ""),
      pageTexts: extracted.pages.map((p) => p.replaceAll("\u0000", "")),
      extraction: toStoredExtraction(extracted) as unknown as Prisma.InputJsonObject,
    };
  } catch {
    return null; // a worker extracts it and reports what went wrong on the task
  }
}

/** The client address as our proxy saw it (see access/deny.ts). */
export function clientIp(request: Request): string | null {
  return clientAddress(request);
}
