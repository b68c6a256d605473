import type { Db, Prisma } from "@docgate/db";
import { UnreadableDocumentError, extractText, fromStoredExtraction, toStoredExtraction, type StoredExtraction, type SupportedMimeType } from "@docgate/mcp/extraction";
import type { DocumentSource, DocumentText } from "@docgate/mcp";

/**
 * Documents for the MCP servers, from Postgres. Text is extracted once per document and
 * stored, so every service (and every later job on the same bytes) shares it.
 */
export function createDocumentSource(db: Db): DocumentSource {
  return {
    async getText(documentId: string): Promise<DocumentText> {
      const doc = await db.document.findUnique({
        where: { id: documentId },
        select: { id: true, mimeType: true, text: true, pageTexts: true, metadata: true, extractionError: true },
      });
      if (!doc) throw new UnreadableDocumentError(`Document ${documentId} does not exist.`);
      if (doc.extractionError) throw new UnreadableDocumentError(doc.extractionError);
      if (doc.text !== null) {
        const stored = (doc.metadata ?? {}) as { extraction?: Partial<StoredExtraction> };
        return {
          documentId: doc.id,
          mimeType: doc.mimeType as SupportedMimeType,
          text: doc.text,
          pages: (doc.pageTexts as string[] | null) ?? [doc.text],
          ...fromStoredExtraction(stored.extraction),
        };
      }
      return extractAndStore(db, doc.id, doc.mimeType as SupportedMimeType);
    },
  };
}

async function extractAndStore(db: Db, documentId: string, mimeType: SupportedMimeType): Promise<DocumentText> {
  const { bytes, pages } = await db.document.findUniqueOrThrow({ where: { id: documentId }, select: { bytes: true, pages: true } });
  try {
    const extracted = await extractText(bytes, mimeType);
    await db.document.update({
      where: { id: documentId },
      data: {
        // Postgres text cannot hold NUL; nothing downstream needs it.
        text: extracted.text.replaceAll("\u0000", ""),
        pageTexts: extracted.pages.map((p) => p.replaceAll("\u0000", "")),
        // The page count from the gateway's inspection is the real one; extraction may stop early.
        ...(pages === null ? { pages: extracted.pages.length } : {}),
        metadata: { extraction: toStoredExtraction(extracted) } as unknown as Prisma.InputJsonObject,
        extractedAt: new Date(),
      },
    });
    return { ...extracted, documentId };
  } catch (error) {
    if (error instanceof UnreadableDocumentError) {
      await db.document.update({ where: { id: documentId }, data: { extractionError: error.message } });
    }
    throw error;
  }
}
