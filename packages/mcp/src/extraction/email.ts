import PostalMime, { type Address, type Email } from "postal-mime";
import { htmlMetadata, htmlStructure, htmlToPlainText, structureCut } from "./html";
import { UnreadableDocumentError, type DocumentMetadata, type DocumentStructure, type ExtractionCut } from "./types";

/** Headers that make bytes an e-mail when they open the text (at least two of them). */
const MAIL_HEADERS = new Set([
  "from", "to", "cc", "subject", "date", "message-id", "mime-version", "received", "return-path",
  "delivered-to", "reply-to", "content-type", "x-mailer", "in-reply-to", "references", "sender",
]);

/**
 * RFC 5322 shape: the text starts with header fields (`Name: value`, folded lines allowed)
 * up to a blank line, and at least two of them are well-known mail headers, one of which is
 * From, Received, Message-ID or Return-Path (a memo with "To:" and "Subject:" stays text).
 */
export function looksLikeEmail(text: string): boolean {
  const lines = text.replace(/^\uFEFF/, "").slice(0, 16_384).split(/\r?\n/);
  const seen = new Set<string>();
  let fields = 0;
  for (const line of lines) {
    if (line === "") break;
    if (/^[ \t]/.test(line) && fields > 0) continue; // folded continuation
    const m = /^([!-9;-~]+):/.exec(line);
    if (!m) return false;
    fields++;
    const name = m[1]!.toLowerCase();
    if (MAIL_HEADERS.has(name)) seen.add(name);
  }
  const anchor = ["from", "received", "message-id", "return-path"].some((h) => seen.has(h));
  return anchor && seen.size >= 2;
}

/**
 * `looksLikeEmail` for bytes that are not UTF-8 text: legacy mail with undeclared 8-bit bytes
 * (Latin-1, Big5, …) or ISO-2022-JP escape sequences. No NUL bytes, at most 1 % control bytes
 * other than tab, line breaks, form feed and ESC (random or binary data has ~12 %), and the
 * bytes read as windows-1252 open with mail headers.
 */
export function looksLikeLegacyEmail(head: Uint8Array): boolean {
  let control = 0;
  for (const b of head) {
    if (b === 0) return false;
    if ((b < 0x20 && b !== 9 && b !== 10 && b !== 12 && b !== 13 && b !== 0x1b) || b === 0x7f) control++;
  }
  if (control / Math.max(1, head.length) > 0.01) return false;
  return looksLikeEmail(new TextDecoder("windows-1252").decode(head));
}

export async function readEmail(bytes: Uint8Array): Promise<{
  text: string;
  metadata: DocumentMetadata;
  structure: DocumentStructure | null;
  cuts: ExtractionCut[];
}> {
  let email: Email;
  try {
    // Bounded nesting and header size: a crafted message cannot make the parser dig forever.
    email = await PostalMime.parse(legacyMailToUtf8(bytes), { maxNestingDepth: 50, maxHeadersSize: 1_048_576 });
  } catch (err) {
    throw new UnreadableDocumentError(`The e-mail cannot be read: ${err instanceof Error ? err.message : String(err)}.`, { cause: err });
  }
  const body = email.text?.trim() ? email.text : email.html ? htmlToPlainText(email.html) : "";
  const from = mailbox(email.from);
  const to = (email.to ?? []).map(mailbox).filter(Boolean).join(", ");
  const head = [
    from && `From: ${from}`,
    to && `To: ${to}`,
    email.date && `Date: ${email.date}`,
    email.subject && `Subject: ${email.subject}`,
  ].filter(Boolean);
  const text = [head.join("\n"), body.replace(/\r\n?/g, "\n").replace(/\n{3,}/g, "\n\n").trim()].filter(Boolean).join("\n\n");

  const metadata: DocumentMetadata = {};
  if (email.subject?.trim()) metadata.title = email.subject.trim();
  if (from) metadata.author = from;
  if (email.date && !Number.isNaN(Date.parse(email.date))) metadata.created = new Date(email.date).toISOString();
  else if (email.html) Object.assign(metadata, { ...htmlMetadata(email.html), ...metadata });

  const cuts: ExtractionCut[] = [];
  const attachments = email.attachments.filter((a) => a.disposition !== "inline" || !a.mimeType.startsWith("image/"));
  if (attachments.length) {
    const names = attachments.slice(0, 10).map((a) => a.filename ?? a.mimeType).join(", ");
    cuts.push({
      limit: "attachments",
      message: `${attachments.length} attachment(s) were not read (${names}${attachments.length > 10 ? ", …" : ""}); only the message body is.`,
    });
  }
  let structure: DocumentStructure | null = null;
  if (email.html) {
    const read = htmlStructure(email.html);
    structure = read.structure;
    if (read.capped) cuts.push(structureCut());
  }
  return { text, metadata, structure, cuts };
}

function mailbox(address: Address | undefined): string {
  if (!address) return "";
  if (address.group) return address.name;
  return address.name ? `${address.name} <${address.address}>` : address.address;
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });
/** windows-1252 at 0x80–0x9F (elsewhere it is Latin-1); undefined positions stay C1 controls. */
const CP1252_80_9F = "€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ";

/**
 * Bytes in a declared charset, else windows-1252. (Node 20's TextDecoder reads the label
 * "windows-1252" as ISO-8859-1, so curly quotes and € would become C1 controls: decoded here.)
 */
function decodeLegacy(bytes: Uint8Array, charset: string | null): string {
  if (charset && charset !== "windows-1252") return new TextDecoder(charset).decode(bytes);
  const parts: string[] = [];
  for (let at = 0; at < bytes.length; at += 8192) {
    const codes = Array.from(bytes.subarray(at, at + 8192), (b) => (b >= 0x80 && b < 0xa0 ? CP1252_80_9F.charCodeAt(b - 0x80) : b));
    parts.push(String.fromCharCode(...codes));
  }
  return parts.join("");
}

function isUtf8(bytes: Uint8Array): boolean {
  try {
    strictUtf8.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** A charset label TextDecoder knows, else null (us-ascii is windows-1252 to TextDecoder). */
function knownCharset(label: string | undefined): string | null {
  if (!label) return null;
  try {
    return new TextDecoder(label).encoding;
  } catch {
    return null;
  }
}

/**
 * Legacy mail sends 8-bit bytes without saying which charset they are in: raw bytes in header
 * fields (postal-mime reads every header as UTF-8) and text parts without a `charset`
 * parameter, 8-bit or quoted-printable or base64 (read as UTF-8 too). Both would come out
 * as U+FFFD. Each header block (the message's and each MIME part's) that is not UTF-8 is
 * re-encoded to UTF-8 from the part's declared charset, else the message's, else
 * windows-1252 (the superset of Latin-1 that legacy mailers wrote); a text part with no
 * declared charset whose decoded bytes are not UTF-8 is written out decoded the same way,
 * as 8-bit UTF-8. Everything else (structure, boundaries, other parts) is copied byte for
 * byte, so a message in UTF-8 or with declared charsets is parsed exactly as before.
 */
export function legacyMailToUtf8(bytes: Uint8Array): Uint8Array {
  const lines: Uint8Array[] = [];
  for (let start = 0; start < bytes.length; ) {
    const nl = bytes.indexOf(0x0a, start);
    const end = nl < 0 ? bytes.length : nl + 1;
    lines.push(bytes.subarray(start, end));
    start = end;
  }
  const latin = new TextDecoder("latin1"); // to read the ASCII structure: names, parameters, boundaries
  const isBlank = (line: Uint8Array) => line.length <= 2 && (line[0] === 0x0a || (line[0] === 0x0d && line[1] === 0x0a));
  const boundaries = new Set<string>();
  const boundaryOf = (line: Uint8Array): "open" | "close" | null => {
    if (line[0] !== 0x2d || line[1] !== 0x2d || !boundaries.size) return null;
    const text = latin.decode(line).replace(/\s+$/, "");
    for (const b of boundaries) {
      if (text === `--${b}--`) return "close";
      if (text === `--${b}`) return "open";
    }
    return null;
  };
  const out: Uint8Array[] = [];
  const encoder = new TextEncoder();
  let messageCharset: string | null = null;
  let pos = 0;
  let atPart = true; // the message itself, then after each opening boundary
  while (pos < lines.length) {
    if (!atPart) {
      // preamble or epilogue of a multipart: copied up to the next boundary
      while (pos < lines.length && !boundaryOf(lines[pos]!)) out.push(lines[pos++]!);
    } else {
      const headerStart = pos;
      while (pos < lines.length && !isBlank(lines[pos]!) && !boundaryOf(lines[pos]!)) pos++;
      const header = concat(lines.slice(headerStart, pos));
      const blank = pos < lines.length && isBlank(lines[pos]!) ? lines[pos++]! : null;
      const fields = latin.decode(header).replace(/\r?\n[ \t]+/g, " ");
      const contentType = /^content-type:[ \t]*([^\r\n]*)/im.exec(fields)?.[1] ?? "";
      const mime = /^\s*([^;\s]+)/.exec(contentType)?.[1]?.toLowerCase() ?? "text/plain";
      const param = (name: string) => new RegExp(`;\\s*${name}\\s*=\\s*(?:"([^"]*)"|([^;\\s]+))`, "i").exec(contentType);
      const charsetMatch = param("charset");
      const charset = knownCharset(charsetMatch?.[1] ?? charsetMatch?.[2]);
      const boundary = param("boundary");
      if (mime.startsWith("multipart/") && boundary) boundaries.add(boundary[1] ?? boundary[2]!);
      if (headerStart === 0 && charset && charset !== "utf-8") messageCharset = charset;
      const bodyStart = pos;
      while (pos < lines.length && !boundaryOf(lines[pos]!)) pos++;
      const body = concat(lines.slice(bodyStart, pos));

      let headerOut = header;
      if (!isUtf8(header)) headerOut = encoder.encode(decodeLegacy(header, charset && charset !== "utf-8" ? charset : messageCharset));
      let bodyOut = body;
      if (mime.startsWith("text/") && !charsetMatch) {
        const encoding = /^content-transfer-encoding:[ \t]*([\w-]+)/im.exec(fields)?.[1]?.toLowerCase();
        const decoded = encoding === "base64" ? decodeBase64(body) : encoding === "quoted-printable" ? decodeQuotedPrintable(body) : body;
        if (!isUtf8(decoded)) {
          bodyOut = encoder.encode(decodeLegacy(decoded, messageCharset));
          headerOut = withUtf8Charset(headerOut, /^content-type:/im.test(fields));
        }
      }
      out.push(headerOut);
      if (blank) out.push(blank);
      out.push(bodyOut);
    }
    const kind = pos < lines.length ? boundaryOf(lines[pos]!) : null;
    if (kind) out.push(lines[pos++]!);
    atPart = kind === "open";
  }
  return concat(out);
}

/**
 * Sets `charset=utf-8` on a header block's Content-Type field (or adds a text/plain one) and
 * marks the body 8bit: the body that follows is written out decoded, as UTF-8.
 */
function withUtf8Charset(header: Uint8Array, hasContentType: boolean): Uint8Array {
  let text = new TextDecoder().decode(header).replace(/^(content-transfer-encoding:[ \t]*)[\w-]+/im, "$18bit");
  const eol = text.includes("\r\n") ? "\r\n" : "\n";
  if (!hasContentType) return new TextEncoder().encode(`${text}Content-Type: text/plain; charset=utf-8${eol}`);
  // the end of the Content-Type field: its first line and any folded continuation lines
  const field = /^content-type:[^\n]*\n?(?:[ \t][^\n]*\n?)*/im.exec(text)!;
  const end = field.index + field[0].replace(/\r?\n$/, "").length;
  text = `${text.slice(0, end)}; charset=utf-8${text.slice(end)}`;
  return new TextEncoder().encode(text);
}

function decodeBase64(body: Uint8Array): Uint8Array {
  const compact = new TextDecoder("latin1").decode(body).replace(/[^A-Za-z0-9+/]/g, "");
  try {
    return Uint8Array.from(atob(compact.slice(0, compact.length - (compact.length % 4))), (c) => c.charCodeAt(0));
  } catch {
    return body;
  }
}

function decodeQuotedPrintable(body: Uint8Array): Uint8Array {
  const text = new TextDecoder("latin1").decode(body).replace(/=\r?\n/g, ""); // soft line breaks
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const hex = text[i] === "=" ? /^[0-9A-Fa-f]{2}/.exec(text.slice(i + 1, i + 3)) : null;
    if (hex) {
      out.push(parseInt(hex[0], 16));
      i += 2;
    } else out.push(text.charCodeAt(i));
  }
  return Uint8Array.from(out);
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
