import { createHash } from "node:crypto";
import { writeAudit } from "@docgate/db";
import { inspectDocument, sniffType, UnreadableDocumentError } from "@docgate/mcp/extraction";
import type { IncomingDocument } from "@docgate/orchestrator";
import { serverContext } from "../context";
import { env } from "../env";
import { auditActor, type Principal } from "../principal";

/** A gateway tool's refusal, answered as an MCP tool error (`isError`) with a code. */
export class GatewayToolError extends Error {
  constructor(readonly code: string, message: string, readonly status = 400) {
    super(message);
  }
}

export const documentUri = (id: string) => `docgate://documents/${id}`;
export const DOCUMENT_URI_TEMPLATE = "docgate://documents/{id}";
const DOCUMENT_URI = /^docgate:\/\/documents\/([0-9a-f-]{36})$/i;

export function documentIdFromUri(uri: string): string | null {
  return DOCUMENT_URI.exec(uri)?.[1] ?? null;
}

/** Base64 content → a checked document: size cap, real type from the bytes, it opens. */
export async function decodeDocument(content: string, filename: string): Promise<IncomingDocument> {
  const max = env().DOCGATE_MAX_UPLOAD_BYTES;
  // 4 base64 characters carry 3 bytes: refuse before decoding anything too large.
  if (Math.floor((content.length * 3) / 4) > max + 3) {
    throw new GatewayToolError("document_too_large", `The document is larger than ${max} bytes.`, 413);
  }
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(content.replace(/\s+/g, ""))) {
    throw new GatewayToolError("invalid_input", "`content` must be base64-encoded bytes.");
  }
  const bytes = new Uint8Array(Buffer.from(content, "base64"));
  if (bytes.byteLength === 0) throw new GatewayToolError("empty_document", "The document is empty (0 bytes).");
  if (bytes.byteLength > max) throw new GatewayToolError("document_too_large", `The document is larger than ${max} bytes.`, 413);
  const sniffed = await sniffType(bytes);
  if (!sniffed.ok) {
    throw new GatewayToolError("unsupported_type",
      `This kind of file is not supported${sniffed.detected ? ` (${sniffed.detected})` : ""}: send PDF, DOCX, HTML, Markdown, e-mail (.eml) or plain text.`, 415);
  }
  let pages: number | undefined;
  try {
    pages = (await inspectDocument(bytes, sniffed.mimeType)).pages;
  } catch (error) {
    if (error instanceof UnreadableDocumentError) throw new GatewayToolError("unreadable_document", error.message, 422);
    throw error;
  }
  return {
    bytes: bytes as Uint8Array<ArrayBuffer>,
    filename: filename.slice(0, 255),
    mimeType: sniffed.mimeType,
    sha256: createHash("sha256").update(bytes).digest("hex"),
    pages: pages ?? null,
  };
}

/** Stores a document (deduplicated by sha256) with its `document.upload` audit row in one transaction. */
export async function storeDocument(principal: Principal, document: IncomingDocument, meta: { ip: string | null; userAgent: string | null }) {
  const { db } = serverContext();
  return db.$transaction(async (tx) => {
    const doc = await tx.document.upsert({
      where: { sha256: document.sha256 },
      create: {
        sha256: document.sha256, filename: document.filename, mimeType: document.mimeType,
        sizeBytes: document.bytes.byteLength, pages: document.pages ?? null, bytes: document.bytes,
      },
      update: {},
      select: { id: true, filename: true, mimeType: true, sizeBytes: true, sha256: true, pages: true },
    });
    await writeAudit(tx, {
      actor: auditActor(principal), action: "document.upload", target: doc.id, ip: meta.ip, userAgent: meta.userAgent,
      metadata: { sha256: doc.sha256, filename: document.filename, via: "mcp" },
    });
    return doc;
  });
}

/**
 * Documents have no owner column: a key may read a document it submitted a job for or
 * uploaded (its `document.upload` audit row); admins and console users read every document.
 */
export async function mayReadDocument(principal: Principal, documentId: string): Promise<boolean> {
  if (principal.kind !== "api_key" || principal.role === "admin") return true;
  if (!/^[0-9a-f-]{36}$/i.test(documentId)) return false;
  const { db } = serverContext();
  const [job, upload] = await Promise.all([
    db.job.findFirst({ where: { documentId, apiKeyId: principal.id }, select: { id: true } }),
    db.auditLog.findFirst({ where: { action: "document.upload", target: documentId, actorType: "api_key", actorId: principal.id }, select: { id: true } }),
  ]);
  return Boolean(job ?? upload);
}

/** The documents `principal` may read, newest first (bounded), named as it named them (asSeenBy). */
export async function listReadableDocuments(principal: Principal, limit = 50) {
  const { db } = serverContext();
  const select = { id: true, filename: true, mimeType: true, sizeBytes: true, createdAt: true } as const;
  if (principal.kind !== "api_key" || principal.role === "admin") {
    return db.document.findMany({ orderBy: { createdAt: "desc" }, take: limit, select });
  }
  const uploads = await db.auditLog.findMany({
    where: { action: "document.upload", actorType: "api_key", actorId: principal.id },
    orderBy: { id: "desc" }, take: limit, select: { target: true },
  });
  const ids = uploads.map((u) => u.target).filter((t): t is string => Boolean(t));
  const docs = await db.document.findMany({
    where: { OR: [{ id: { in: ids } }, { jobs: { some: { apiKeyId: principal.id } } }] },
    orderBy: { createdAt: "desc" }, take: limit, select,
  });
  const seen = await asSeenBy(principal, docs.map((d) => d.id));
  return docs.map((d) => ({ ...d, ...seen.get(d.id) })).sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
}

/**
 * The filename and time under which `principal` itself first sent each document (a job or an
 * upload). A document is stored once per sha256, so its row's own filename and createdAt are the
 * first sender's, which another key sending the same bytes must not learn. Admin keys and
 * console users see the row's (an empty map).
 */
export async function asSeenBy(principal: Principal, documentIds: string[]): Promise<Map<string, { filename: string; createdAt: Date }>> {
  const seen = new Map<string, { filename: string; createdAt: Date }>();
  if (principal.kind !== "api_key" || principal.role === "admin" || documentIds.length === 0) return seen;
  const { db } = serverContext();
  const [jobs, uploads] = await Promise.all([
    db.job.findMany({ where: { documentId: { in: documentIds }, apiKeyId: principal.id }, select: { documentId: true, filename: true, createdAt: true } }),
    db.auditLog.findMany({
      where: { action: "document.upload", target: { in: documentIds }, actorType: "api_key", actorId: principal.id },
      select: { target: true, metadata: true, at: true },
    }),
  ]);
  const sent = [
    ...jobs.map((j) => ({ id: j.documentId, filename: j.filename, createdAt: j.createdAt })),
    ...uploads.map((u) => ({ id: u.target ?? "", filename: String((u.metadata as { filename?: unknown } | null)?.filename ?? ""), createdAt: u.at })),
  ];
  for (const s of sent) {
    const earlier = seen.get(s.id);
    if (s.filename && (!earlier || s.createdAt < earlier.createdAt)) seen.set(s.id, { filename: s.filename, createdAt: s.createdAt });
  }
  return seen;
}

/** A document as an MCP resource for `principal`: extracted text when there is some, else its bytes. */
export async function readDocumentResource(principal: Principal, documentId: string) {
  const { db } = serverContext();
  const doc = await db.document.findUnique({
    where: { id: documentId },
    select: { id: true, filename: true, mimeType: true, sizeBytes: true, sha256: true, pages: true, text: true, createdAt: true },
  });
  if (!doc) return null;
  const { filename, createdAt } = (await asSeenBy(principal, [doc.id])).get(doc.id) ?? doc;
  const meta = { id: doc.id, filename, mimeType: doc.mimeType, sizeBytes: doc.sizeBytes, sha256: doc.sha256, pages: doc.pages, createdAt: createdAt.toISOString() };
  if (doc.text !== null) return { meta, text: doc.text };
  if (doc.mimeType === "text/plain") {
    const { bytes } = await db.document.findUniqueOrThrow({ where: { id: documentId }, select: { bytes: true } });
    return { meta, text: new TextDecoder().decode(bytes) };
  }
  const { bytes } = await db.document.findUniqueOrThrow({ where: { id: documentId }, select: { bytes: true } });
  return { meta, blob: Buffer.from(bytes).toString("base64") };
}
