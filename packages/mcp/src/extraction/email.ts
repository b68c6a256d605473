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

export async function readEmail(bytes: Uint8Array): Promise<{
  text: string;
  metadata: DocumentMetadata;
  structure: DocumentStructure | null;
  cuts: ExtractionCut[];
}> {
  let email: Email;
  try {
    // Bounded nesting and header size: a crafted message cannot make the parser dig forever.
    email = await PostalMime.parse(new Uint8Array(bytes), { maxNestingDepth: 50, maxHeadersSize: 1_048_576 });
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
