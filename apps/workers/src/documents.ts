import { fastSql, sql, utcTimestamp, type Db, type Prisma } from "@docgate/db";
import { UnreadableDocumentError, extractText, fromStoredExtraction, toStoredExtraction, type StoredExtraction, type SupportedMimeType } from "@docgate/mcp/extraction";
import type { DocumentSource, DocumentText } from "@docgate/mcp";
import type { StoredDocumentRow } from "@docgate/orchestrator";
import { memoInTask, provideInTask, providedInTask } from "./task-scope";

const rowKey = (documentId: string) => `document-row:${documentId}`;

/**
 * Documents for the MCP servers, from Postgres. Text is extracted once per document and
 * stored, so every service (and every later job on the same bytes) shares it.
 */
export type TaskDocumentSource = DocumentSource & {
  /** The row the task's start statement read (runTask's prefetch): the task's reads start from it. */
  provideRow(documentId: string, row: Promise<StoredDocumentRow | null>): void;
};

export function createDocumentSource(db: Db): TaskDocumentSource {
  return {
    // Read once per task: the cache key's and the tool's reads share it.
    getText: (documentId: string) => memoInTask(`document:${documentId}`, async () => {
      const row = await providedInTask<StoredDocumentRow | null>(rowKey(documentId));
      return row ? textOf(db, row) : readText(db, documentId);
    }),
    provideRow: (documentId, row) => provideInTask(rowKey(documentId), row),
  };
}

async function readText(db: Db, documentId: string): Promise<DocumentText> {
  // Outside a task (tests, direct tool calls): straight SQL (fast-sql.ts).
  const [doc] = await fastSql(db).query<StoredDocumentRow>(sql`
    SELECT "id", "mimeType", "text", "pageTexts", "metadata", "extractionError" FROM "Document" WHERE "id" = ${documentId}`);
  if (!doc) throw new UnreadableDocumentError(`Document ${documentId} does not exist.`);
  return textOf(db, doc);
}

function textOf(db: Db, doc: StoredDocumentRow): Promise<DocumentText> | DocumentText {
  if (doc.extractionError) throw new UnreadableDocumentError(doc.extractionError);
  if (doc.text !== null) return storedText(doc.id, doc.mimeType as SupportedMimeType, doc);
  return extractAndStore(db, doc.id, doc.mimeType as SupportedMimeType);
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

/**
 * Extracts a document's text once, however many services ask at the same moment: the first
 * takes a per-document lock and extracts; the others wait on it and read what it stored.
 * Straight SQL like the reads above: Prisma's interactive transaction cost ~2 ms of CPU each,
 * and every document that is not plain text goes through here once per service.
 */
async function extractAndStore(db: Db, documentId: string, mimeType: SupportedMimeType): Promise<DocumentText> {
  const outcome = await fastSql(db).transaction(async (query): Promise<{ error: string } | { text: DocumentText }> => {
    await query(sql`SELECT pg_advisory_xact_lock(${EXTRACTION_LOCK_CLASS}::int, hashtext(${documentId}))`);
    const [row] = await query<{ bytes: Uint8Array; pages: number | null; text: string | null; pageTexts: Prisma.JsonValue; metadata: Prisma.JsonValue; extractionError: string | null }>(sql`
      SELECT "bytes", "pages", "text", "pageTexts", "metadata", "extractionError" FROM "Document" WHERE "id" = ${documentId}`);
    if (!row) return { error: `Document ${documentId} does not exist.` };
    if (row.extractionError) return { error: row.extractionError };
    if (row.text !== null) return { text: storedText(documentId, mimeType, row) };
    try {
      const extracted = await extractText(row.bytes, mimeType);
      const stored = toStoredExtraction(extracted);
      // Postgres text cannot hold NUL; nothing downstream needs it. The page count from the
      // gateway's inspection is the real one (extraction may stop early), so it is kept.
      await query(sql`
        UPDATE "Document" SET "text" = ${extracted.text.replaceAll("\u0000", "")},
          "pageTexts" = ${JSON.stringify(extracted.pages.map((p) => p.replaceAll("\u0000", "")))}::jsonb,
          "pages" = COALESCE("pages", ${extracted.pages.length}::int),
          "metadata" = ${JSON.stringify({ extraction: stored })}::jsonb,
          "extractedAt" = ${utcTimestamp(new Date())}
        WHERE "id" = ${documentId}`);
      return { text: { ...extracted, language: stored.language, documentId } };
    } catch (error) {
      if (!(error instanceof UnreadableDocumentError)) throw error;
      // Stored (the transaction commits), so the other services fail the same way without trying again.
      await query(sql`UPDATE "Document" SET "extractionError" = ${error.message} WHERE "id" = ${documentId}`);
      return { error: error.message };
    }
  });
  if ("error" in outcome) throw new UnreadableDocumentError(outcome.error);
  return outcome.text;
}
