export const SUPPORTED_TYPES = {
  pdf: "application/pdf",
  docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  html: "text/html",
  text: "text/plain",
} as const;

export type SupportedMimeType = (typeof SUPPORTED_TYPES)[keyof typeof SUPPORTED_TYPES];

export const SUPPORTED_MIME_TYPES: readonly SupportedMimeType[] = Object.values(SUPPORTED_TYPES);

export function isSupportedMimeType(value: string): value is SupportedMimeType {
  return (SUPPORTED_MIME_TYPES as readonly string[]).includes(value);
}

export type ExtractedDocument = {
  mimeType: SupportedMimeType;
  text: string;
  /** One entry per page for PDF; a single entry for other types. */
  pages: string[];
  metadata: { title?: string; author?: string; created?: string };
  truncated: boolean;
  warnings: string[];
};

export type ExtractionLimits = { maxPages: number; maxChars: number; timeoutMs: number };

export const DEFAULT_LIMITS: ExtractionLimits = { maxPages: 500, maxChars: 5_000_000, timeoutMs: 20_000 };

/** A document whose bytes cannot be parsed (corrupt, truncated, encrypted, too slow). */
export class UnreadableDocumentError extends Error {
  readonly code = "unreadable_document";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "UnreadableDocumentError";
  }
}
