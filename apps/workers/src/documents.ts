import { fastSql, sql, type Db, type Prisma } from "@docgate/db";
import { UnreadableDocumentError, extractText, fromStoredExtraction, toStoredExtraction, type StoredExtraction, type SupportedMimeType } from "@docgate/mcp/extraction";
import type { DocumentSource, DocumentText } from "@docgate/mcp";

/**
 * Documents for the MCP servers, from Postgres. Text is extracted once per document and
 * stored, so every service (and every later job on the same bytes) shares it.
 */
export function createDocumentSource(db: Db): DocumentSource {
  return {
    async getText(documentId: string): Promise<DocumentText> {
      // Every task reads it: straight SQL (fast-sql.ts).
      const [doc] = await fastSql(db).query<{ id: string; mimeType: string; text: string | null; pageTexts: Prisma.JsonValue; metadata: Prisma.JsonValue; extractionError: string | null }>(sql`
        SELECT "id", "mimeType", "text", "pageTexts", "metadata", "extractionError" FROM "Document" WHERE "id" = ${documentId}`);
      if (!doc) throw new UnreadableDocumentError(`Document ${documentId} does not exist.`);
      if (doc.extractionError) throw new UnreadableDocumentError(doc.extractionError);
      if (doc.text !== null) return storedText(doc.id, doc.mimeType as SupportedMimeType, doc);
      return extractAndStore(db, doc.id, doc.mimeType as SupportedMimeType);
    },
  };
}

function storedText(
  documentId: string,
  mimeType: SupportedMimeType,
  doc: { text: string | null; pageTexts: Prisma.JsonValue; metadata: Prisma.JsonValue },
): DocumentText {
  const stored = (doc.metadata ?? {}) as { extraction?: Partial<StoredExtraction> };
  const text = doc.text ?? "";
  return {
    documentId,
    mimeType,
    text,
    pages: (doc.pageTexts as string[] | null) ?? [text],
    ...fromStoredExtraction(stored.extraction),
  };
}

// Two-key advisory locks live apart from the single-key audit lock.
const EXTRACTION_LOCK_CLASS = 0x65787472; // "extr"
const EXTRACTION_TIMEOUT_MS = 10 * 60_000;

/**
 * Extracts a document's text once, however many services ask at the same moment: the first
 * takes a per-document lock and extracts; the others wait on it and read what it stored.
 */
async function extractAndStore(db: Db, documentId: string, mimeType: SupportedMimeType): Promise<DocumentText> {
  const outcome = await db.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${EXTRACTION_LOCK_CLASS}::int, hashtext(${documentId}))`;
    const row = await tx.document.findUniqueOrThrow({
      where: { id: documentId },
      select: { bytes: true, pages: true, text: true, pageTexts: true, metadata: true, extractionError: true },
    });
    if (row.extractionError) return { error: row.extractionError };
    if (row.text !== null) return { text: storedText(documentId, mimeType, row) };
    try {
      const extracted = await extractText(row.bytes, mimeType);
      await tx.document.update({
        where: { id: documentId },
        data: {
          // Postgres text cannot hold NUL; nothing downstream needs it.
          text: extracted.text.replaceAll("\u0000", ""),
          pageTexts: extracted.pages.map((p) => p.replaceAll("\u0000", "")),
          // The page count from the gateway's inspection is the real one; extraction may stop early.
          ...(row.pages === null ? { pages: extracted.pages.length } : {}),
          metadata: { extraction: toStoredExtraction(extracted) } as unknown as Prisma.InputJsonObject,
          extractedAt: new Date(),
        },
      });
      return { text: { ...extracted, documentId } };
    } catch (error) {
      if (!(error instanceof UnreadableDocumentError)) throw error;
      // Stored (the transaction commits), so the other services fail the same way without trying again.
      await tx.document.update({ where: { id: documentId }, data: { extractionError: error.message } });
      return { error: error.message };
    }
  }, { timeout: EXTRACTION_TIMEOUT_MS, maxWait: 30_000 });
  if (outcome.error !== undefined) throw new UnreadableDocumentError(outcome.error);
  return outcome.text!;
}
