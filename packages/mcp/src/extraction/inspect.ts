import { getDocumentProxy } from "unpdf";
import { inflatedSizeWithin, readZipDirectory } from "./zip";
import { SUPPORTED_TYPES, UnreadableDocumentError, type SupportedMimeType } from "./types";

/** Declared decompressed size above which a DOCX is refused (zip-bomb guard). */
export const MAX_DOCX_UNCOMPRESSED_BYTES = 256 * 1024 * 1024;

type PdfDocument = Awaited<ReturnType<typeof getDocumentProxy>>;

/** Opens a PDF with pdf.js (on a copy: pdf.js may take ownership of the buffer). */
export async function openPdf(bytes: Uint8Array): Promise<PdfDocument> {
  try {
    return await getDocumentProxy(new Uint8Array(bytes), {
      isEvalSupported: false,
      stopAtErrors: false,
      verbosity: 0,
    });
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    if (/password/i.test(detail)) {
      throw new UnreadableDocumentError("The PDF is password-protected and cannot be read.", { cause: err });
    }
    throw new UnreadableDocumentError(`The PDF cannot be read: it is corrupt or truncated (${detail}).`, { cause: err });
  }
}

/**
 * Cheap structural check run before an upload is accepted (no text extraction):
 * a PDF must open and report its page count; a DOCX must be a readable zip holding
 * word/document.xml and must not declare an absurd decompressed size. Text and HTML
 * need no check.
 */
export async function inspectDocument(bytes: Uint8Array, mimeType: SupportedMimeType): Promise<{ pages?: number }> {
  if (mimeType === SUPPORTED_TYPES.pdf) {
    const doc = await openPdf(bytes);
    try {
      const pages = doc.numPages;
      if (!Number.isInteger(pages) || pages < 1) {
        throw new UnreadableDocumentError("The PDF has no pages.");
      }
      // Resolving the first page catches files whose page tree is broken.
      await doc.getPage(1).catch((err: unknown) => {
        throw new UnreadableDocumentError("The PDF cannot be read: its first page is damaged.", { cause: err });
      });
      return { pages };
    } finally {
      await doc.destroy().catch(() => undefined);
    }
  }
  if (mimeType === SUPPORTED_TYPES.docx) {
    await checkDocxSize(bytes);
    return {};
  }
  return {};
}

/** Structure, declared size, and the size it really inflates to (zip-bomb guard). */
export async function checkDocxSize(bytes: Uint8Array): Promise<void> {
  checkDocxStructure(bytes);
  const entries = readZipDirectory(bytes)!;
  if ((await inflatedSizeWithin(bytes, entries, MAX_DOCX_UNCOMPRESSED_BYTES)) === null) {
    throw new UnreadableDocumentError(
      `The DOCX cannot be read: it is damaged or unpacks to more than ${MAX_DOCX_UNCOMPRESSED_BYTES / 1048576} MiB.`,
    );
  }
}

export function checkDocxStructure(bytes: Uint8Array): void {
  const entries = readZipDirectory(bytes);
  if (!entries) throw new UnreadableDocumentError("The DOCX cannot be read: its zip structure is corrupt or truncated.");
  if (!entries.some((e) => e.name === "word/document.xml")) {
    throw new UnreadableDocumentError("The DOCX cannot be read: it has no word/document.xml part.");
  }
  const total = entries.reduce((sum, e) => sum + e.uncompressedSize, 0);
  if (total > MAX_DOCX_UNCOMPRESSED_BYTES) {
    throw new UnreadableDocumentError(
      `The DOCX declares ${Math.round(total / 1048576)} MiB of uncompressed content, more than the ${MAX_DOCX_UNCOMPRESSED_BYTES / 1048576} MiB allowed.`,
    );
  }
}
