import type { LanguageGuess } from "../text/language";
export const SUPPORTED_TYPES = {
  pdf: "application/pdf",
  docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  html: "text/html",
  text: "text/plain",
  markdown: "text/markdown",
  email: "message/rfc822",
} as const;

export type SupportedMimeType = (typeof SUPPORTED_TYPES)[keyof typeof SUPPORTED_TYPES];

export const SUPPORTED_MIME_TYPES: readonly SupportedMimeType[] = Object.values(SUPPORTED_TYPES);

export function isSupportedMimeType(value: string): value is SupportedMimeType {
  return (SUPPORTED_MIME_TYPES as readonly string[]).includes(value);
}

export type DocumentMetadata = { title?: string; author?: string; created?: string };

/** Headings, tables and lists, where the format shows them (HTML, DOCX, Markdown, HTML e-mail). */
export type DocumentStructure = {
  headings: { level: number; text: string }[];
  tables: { rows: number; columns: number }[];
  lists: { ordered: boolean; items: number }[];
};

/** Which limit cut a document short; `message` says so in words. */
export type ExtractionCut = {
  limit: "pages" | "characters" | "time" | "ocr_pages" | "ocr_time" | "attachments" | "structure";
  message: string;
};

/** Pages read by OCR because they had no text layer, and those that could not be. */
export type OcrReport = {
  engine: "tesseract.js";
  /** 1-based page numbers whose text came from OCR. */
  pages: number[];
  /** Mean tesseract confidence (0–100) over OCRed pages, null when none. */
  meanConfidence: number | null;
  skipped: { page: number; reason: string }[];
  ms: number;
};

export type ExtractedDocument = {
  mimeType: SupportedMimeType;
  text: string;
  /** One entry per page for PDF; a single entry for other types. */
  pages: string[];
  metadata: DocumentMetadata;
  truncated: boolean;
  warnings: string[];
  /** Every limit that cut this document (empty when nothing was cut). */
  cuts?: ExtractionCut[];
  /** Present for PDFs: which pages were OCRed. */
  ocr?: OcrReport;
  /** Null for formats without visible structure (plain text, PDF). */
  structure?: DocumentStructure | null;
  /** The text's language, when a host detected it once for every service (see toStoredExtraction). */
  language?: LanguageGuess;
};

export type ExtractionLimits = {
  maxPages: number;
  maxChars: number;
  /** Wall-clock budget for reading the document, OCR not included. */
  timeoutMs: number;
  /** Pages without a text layer that may be OCRed per document (0 turns OCR off). */
  maxOcrPages: number;
  /** Wall-clock budget for all OCR of one document. */
  ocrTimeoutMs: number;
};

/**
 * OCR is slow (≈0.3–3 s per page on one core): 10 pages / 15 s keeps a scanned document
 * inside the 30 s default task timeout together with the rest of the work.
 */
export const DEFAULT_LIMITS: ExtractionLimits = {
  maxPages: 500,
  maxChars: 5_000_000,
  timeoutMs: 20_000,
  maxOcrPages: 10,
  ocrTimeoutMs: 15_000,
};

/** A document whose bytes cannot be parsed (corrupt, truncated, encrypted, too slow). */
export class UnreadableDocumentError extends Error {
  readonly code = "unreadable_document";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "UnreadableDocumentError";
  }
}
