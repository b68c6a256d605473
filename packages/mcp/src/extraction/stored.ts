import type { ExtractedDocument } from "./types";

/** What a host keeps beside a document's text so the report survives (JSON-safe). */
export type StoredExtraction = Pick<ExtractedDocument, "metadata" | "truncated" | "warnings" | "cuts" | "ocr" | "structure">;

export function toStoredExtraction(doc: ExtractedDocument): StoredExtraction {
  const { metadata, truncated, warnings, cuts = [], ocr, structure = null } = doc;
  return { metadata, truncated, warnings, cuts, structure, ...(ocr ? { ocr } : {}) };
}

/** Reads back what toStoredExtraction wrote (rows stored before it had cuts/ocr/structure too). */
export function fromStoredExtraction(stored: Partial<StoredExtraction> | undefined): StoredExtraction {
  return {
    metadata: stored?.metadata ?? {},
    truncated: stored?.truncated ?? false,
    warnings: stored?.warnings ?? [],
    cuts: stored?.cuts ?? [],
    structure: stored?.structure ?? null,
    ...(stored?.ocr ? { ocr: stored.ocr } : {}),
  };
}
