import { detectLanguage } from "../text/language";
import type { ExtractedDocument } from "./types";

/** What a host keeps beside a document's text so the report survives (JSON-safe). */
export type StoredExtraction = Pick<ExtractedDocument, "metadata" | "truncated" | "warnings" | "cuts" | "ocr" | "structure" | "language">;

/**
 * The language is detected here, once per stored document: both services report it, and
 * detection costs as much as a small document's whole classification.
 */
export function toStoredExtraction(doc: ExtractedDocument): StoredExtraction {
  const { metadata, truncated, warnings, cuts = [], ocr, structure = null, language = detectLanguage(doc.text) } = doc;
  return { metadata, truncated, warnings, cuts, structure, language, ...(ocr ? { ocr } : {}) };
}

/** Reads back what toStoredExtraction wrote (rows stored before it had cuts/ocr/structure/language too). */
export function fromStoredExtraction(stored: Partial<StoredExtraction> | undefined): StoredExtraction {
  return {
    metadata: stored?.metadata ?? {},
    truncated: stored?.truncated ?? false,
    warnings: stored?.warnings ?? [],
    cuts: stored?.cuts ?? [],
    structure: stored?.structure ?? null,
    ...(stored?.ocr ? { ocr: stored.ocr } : {}),
    ...(stored?.language ? { language: stored.language } : {}),
  };
}
