import { fileTypeFromBuffer } from "file-type";
import { looksLikeLegacyEmail, looksLikeEmail } from "./email";
import { looksLikeMarkdown } from "./markdown";
import { SUPPORTED_TYPES, type SupportedMimeType } from "./types";

export type SniffResult =
  | { ok: true; mimeType: SupportedMimeType }
  | { ok: false; reason: "empty" | "unsupported"; detected?: string };

const SNIFF_BYTES = 64 * 1024;

/**
 * Decides the type from the bytes, never from a filename or a client's Content-Type.
 * Binary formats by magic numbers (file-type; a DOCX is recognised inside its zip), then
 * text: decodable text without NUL bytes is an e-mail when it opens with mail headers, HTML
 * when it looks like HTML, Markdown when it shows Markdown constructs, else plain text.
 * Bytes that are not UTF-8 text are still an e-mail when they open with mail headers: legacy
 * mail carries undeclared 8-bit bytes (Latin-1, Big5, …) and ISO-2022-JP escapes.
 */
export async function sniffType(bytes: Uint8Array): Promise<SniffResult> {
  if (bytes.length === 0) return { ok: false, reason: "empty" };
  // A UTF-16 BOM (FF FE) also looks like an MPEG frame header to file-type: try text first.
  if (detectUtf16Bom(bytes)) {
    const text = decodeHead(bytes);
    if (text !== null) return { ok: true, mimeType: textKind(text) };
  }
  const detected = await fileTypeFromBuffer(bytes);
  if (detected) {
    if (detected.mime === SUPPORTED_TYPES.pdf) return { ok: true, mimeType: SUPPORTED_TYPES.pdf };
    if (detected.mime === SUPPORTED_TYPES.docx) return { ok: true, mimeType: SUPPORTED_TYPES.docx };
    // file-type recognises some text formats (xml, svg); only keep HTML-looking XML.
    if (detected.mime === "application/xml" && looksLikeHtml(decodeHead(bytes) ?? "")) {
      return { ok: true, mimeType: SUPPORTED_TYPES.html };
    }
    return { ok: false, reason: "unsupported", detected: detected.mime };
  }
  const head = decodeHead(bytes);
  if (head === null) {
    if (looksLikeLegacyEmail(bytes.subarray(0, SNIFF_BYTES))) return { ok: true, mimeType: SUPPORTED_TYPES.email };
    return { ok: false, reason: "unsupported", detected: "application/octet-stream" };
  }
  return { ok: true, mimeType: textKind(head) };
}

/** Which text format decoded text is (the order matters: an e-mail may carry HTML). */
function textKind(text: string): SupportedMimeType {
  if (looksLikeEmail(text)) return SUPPORTED_TYPES.email;
  if (looksLikeHtml(text)) return SUPPORTED_TYPES.html;
  if (looksLikeMarkdown(text)) return SUPPORTED_TYPES.markdown;
  return SUPPORTED_TYPES.text;
}

/**
 * Decodes the first 64 KiB as text, or returns null when the bytes are not text:
 * NUL bytes (outside UTF-16), too many invalid UTF-8 sequences (> 2 %) or control chars.
 * A few invalid sequences are tolerated so that a mostly-UTF-8 file is accepted and the
 * quality service can report its garbling.
 */
export function decodeHead(bytes: Uint8Array): string | null {
  const head = bytes.subarray(0, SNIFF_BYTES);
  const utf16 = detectUtf16Bom(head);
  if (!utf16 && head.includes(0)) return null;
  let text = new TextDecoder(utf16 ?? "utf-8", { fatal: false }).decode(head);
  // Cutting at 64 KiB may split a multi-byte character at the end: ignore that error.
  if (bytes.length > SNIFF_BYTES) text = text.replace(/\uFFFD{1,3}$/, "");
  let bad = 0;
  let control = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0xfffd) bad++;
    else if ((c < 0x20 && c !== 9 && c !== 10 && c !== 13 && c !== 12) || c === 0x7f) control++;
  }
  const n = Math.max(1, text.length);
  if (bad / n > 0.02 || control / n > 0.01) return null;
  return text;
}

export function detectUtf16Bom(bytes: Uint8Array): "utf-16le" | "utf-16be" | null {
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) return "utf-16le";
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) return "utf-16be";
  return null;
}

const COMMON_TAGS = /<(?:head|title|meta|div|p|span|a\s|table|tr|td|ul|ol|li|h[1-6]|br|img|script|style|link|section|article|nav|header|footer)\b/gi;

export function looksLikeHtml(text: string): boolean {
  const start = text.replace(/^\uFEFF/, "").slice(0, 2048).trimStart();
  if (/^<!doctype\s+html/i.test(start)) return true;
  if (/<html[\s>]/i.test(start) || /<body[\s>]/i.test(start)) return true;
  const tags = new Set((start.match(COMMON_TAGS) ?? []).map((t) => t.toLowerCase()));
  return start.startsWith("<") ? tags.size >= 2 : tags.size >= 3;
}
