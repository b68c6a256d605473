import { createHash } from "node:crypto";
import { inspectDocument, sniffType, UnreadableDocumentError } from "@docgate/mcp/extraction";
import { getJobView, submitJob, waitForJob, type JobView } from "@docgate/orchestrator";
import { serverContext } from "./context";
import { clientAddress } from "./access/deny";
import { env } from "./env";
import { ProcessFieldsSchema, WaitQuerySchema } from "./api-schemas";
import { ApiError, invalidInput } from "./errors";
import { chooseServices } from "./services";
import { auditActor, principalHeaders, requireJobCapacity, requireRole, requireServices, type Principal } from "./principal";
import { readUpload } from "./upload";

export type ProcessResult = {
  job: JobView;
  finished: boolean;
  /** `X-RateLimit-*` for the response (empty for console sessions). */
  headers: Record<string, string>;
};

/** POST /api/v1/process: validate, accept into Postgres, enqueue, then wait (bounded). */
export async function processRequest(request: Request, principal: Principal): Promise<ProcessResult> {
  requireRole(principal, "operator");
  // Checked before the body is read, so a key over its limits costs no upload.
  await requireJobCapacity(principal);
  const query = WaitQuerySchema.safeParse(Object.fromEntries(new URL(request.url).searchParams));
  if (!query.success) throw invalidInput(query.error);
  const upload = await readUpload(request, env().DOCGATE_MAX_UPLOAD_BYTES);
  if (!upload.file) throw new ApiError(400, "missing_document", "Attach the document as the multipart file field `document`.");
  if (upload.file.bytes.byteLength === 0) throw new ApiError(400, "empty_document", "The document is empty (0 bytes).");

  const { db, orchestrator, events } = serverContext();
  const fields = ProcessFieldsSchema.safeParse({
    services: (upload.fields.get("services") ?? []).flatMap((v) => v.split(",")).map((v) => v.trim()).filter(Boolean),
    taxonomy: upload.fields.get("taxonomy")?.[0],
    profile: upload.fields.get("profile")?.[0],
  });
  if (!fields.success) throw invalidInput(fields.error);
  const enabled = await db.service.findMany({ where: { enabled: true }, select: { name: true, kind: true } });
  const services = chooseServices(fields.data.services, enabled);
  requireServices(principal, services.map((s) => s.name));

  const sniffed = await sniffType(upload.file.bytes);
  if (!sniffed.ok) {
    throw new ApiError(415, "unsupported_type",
      `This kind of file is not supported${sniffed.detected ? ` (${sniffed.detected})` : ""}: send PDF, DOCX, HTML or plain text.`);
  }
  let pages: number | undefined;
  try {
    pages = (await inspectDocument(upload.file.bytes, sniffed.mimeType)).pages;
  } catch (error) {
    if (error instanceof UnreadableDocumentError) throw new ApiError(422, "unreadable_document", error.message);
    throw error;
  }

  const { jobId } = await submitJob(orchestrator, {
    document: {
      bytes: upload.file.bytes,
      filename: upload.file.filename,
      mimeType: sniffed.mimeType,
      sha256: createHash("sha256").update(upload.file.bytes).digest("hex"),
      pages: pages ?? null,
    },
    services,
    options: {
      ...(fields.data.taxonomy ? { taxonomy: fields.data.taxonomy } : {}),
      ...(fields.data.profile ? { profile: fields.data.profile } : {}),
    },
    actor: auditActor(principal),
    apiKeyId: principal.kind === "api_key" ? principal.id : null,
    userId: principal.kind === "user" ? principal.id : null,
    ip: clientIp(request),
    userAgent: request.headers.get("user-agent"),
  });

  const finished = query.data.wait > 0
    ? await waitForJob(db, events, jobId, { timeoutMs: query.data.wait * 1000, signal: request.signal })
    : false;
  const job = await getJobView(db, jobId);
  if (!job) throw new ApiError(500, "internal_error", "The job vanished after it was accepted.");
  return { job, finished, headers: principalHeaders(principal) };
}

/** The client address as our proxy saw it (see access/deny.ts). */
export function clientIp(request: Request): string | null {
  return clientAddress(request);
}
