import { convert } from "html-to-text";
import mammoth from "mammoth";
import { checkDocxSize, openPdf } from "./inspect";
import { decodeHead, detectUtf16Bom } from "./sniff";
import { readZipDirectory, readZipEntry } from "./zip";
import {
  DEFAULT_LIMITS,
  SUPPORTED_TYPES,
  UnreadableDocumentError,
  type ExtractedDocument,
  type ExtractionLimits,
  type SupportedMimeType,
} from "./types";

type Metadata = ExtractedDocument["metadata"];

/**
 * Extracts plain text. Throws UnreadableDocumentError on input that cannot be parsed;
 * beyond a limit (pages, characters, time) returns what was read with `truncated: true`
 * and a warning saying what was cut.
 */
export async function extractText(
  bytes: Uint8Array,
  mimeType: SupportedMimeType,
  limits: Partial<ExtractionLimits> = {},
): Promise<ExtractedDocument> {
  const lim: ExtractionLimits = { ...DEFAULT_LIMITS, ...limits };
  const deadline = Date.now() + lim.timeoutMs;
  let result: ExtractedDocument;
  switch (mimeType) {
    case SUPPORTED_TYPES.pdf:
      result = await extractPdf(bytes, lim, deadline);
      break;
    case SUPPORTED_TYPES.docx:
      result = await withTimeout(extractDocx(bytes), lim.timeoutMs, "DOCX");
      break;
    case SUPPORTED_TYPES.html:
      result = extractHtml(bytes);
      break;
    case SUPPORTED_TYPES.text:
      result = { mimeType, text: decodeText(bytes), pages: [], metadata: {}, truncated: false, warnings: [] };
      result.pages = [result.text];
      break;
    default:
      throw new UnreadableDocumentError(`Unsupported document type ${String(mimeType)}.`);
  }
  return applyCharLimit(result, lim.maxChars);
}

/** UTF-8 (or UTF-16 with BOM); invalid sequences become U+FFFD so quality can see them. */
export function decodeText(bytes: Uint8Array): string {
  const utf16 = detectUtf16Bom(bytes);
  const text = new TextDecoder(utf16 ?? "utf-8", { fatal: false, ignoreBOM: false }).decode(bytes);
  return text.replace(/\r\n?/g, "\n");
}

function applyCharLimit(doc: ExtractedDocument, maxChars: number): ExtractedDocument {
  if (doc.text.length <= maxChars) return doc;
  const pages: string[] = [];
  let used = 0;
  for (const page of doc.pages) {
    const room = maxChars - used;
    if (room <= 0) break;
    const cut = page.slice(0, room);
    pages.push(cut);
    used += cut.length + 2;
  }
  return {
    ...doc,
    text: doc.text.slice(0, maxChars),
    pages,
    truncated: true,
    warnings: [...doc.warnings, `Text was cut at ${maxChars} characters (the document has ${doc.text.length}).`],
  };
}

async function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new UnreadableDocumentError(`Reading the ${what} took longer than ${ms} ms and was stopped.`)),
      ms,
    );
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function extractPdf(bytes: Uint8Array, lim: ExtractionLimits, deadline: number): Promise<ExtractedDocument> {
  const doc = await withTimeout(openPdf(bytes), lim.timeoutMs, "PDF");
  const warnings: string[] = [];
  let truncated = false;
  try {
    const metadata = await readPdfMetadata(doc);
    const total = doc.numPages;
    const readable = Math.min(total, lim.maxPages);
    if (total > lim.maxPages) {
      truncated = true;
      warnings.push(`Only the first ${lim.maxPages} of ${total} pages were read.`);
    }
    const pages: string[] = [];
    let failed = 0;
    for (let i = 1; i <= readable; i++) {
      if (Date.now() > deadline) {
        truncated = true;
        warnings.push(`Reading stopped after ${i - 1} of ${total} pages: the ${lim.timeoutMs} ms time limit was reached.`);
        break;
      }
      try {
        const page = await doc.getPage(i);
        const content = await page.getTextContent();
        let text = "";
        for (const item of content.items) {
          if (!("str" in item)) continue;
          text += item.str;
          if (item.hasEOL) text += "\n";
        }
        pages.push(text.replace(/[ \t]+\n/g, "\n").trim());
        page.cleanup();
      } catch {
        failed++;
        pages.push("");
      }
    }
    if (failed === readable && readable > 0) {
      throw new UnreadableDocumentError("The PDF cannot be read: none of its pages could be parsed.");
    }
    if (failed > 0) warnings.push(`${failed} page(s) could not be parsed and are empty.`);
    return { mimeType: SUPPORTED_TYPES.pdf, text: pages.join("\n\n"), pages, metadata, truncated, warnings };
  } finally {
    await doc.destroy().catch(() => undefined);
  }
}

async function readPdfMetadata(doc: Awaited<ReturnType<typeof openPdf>>): Promise<Metadata> {
  try {
    const { info } = (await doc.getMetadata()) as unknown as { info?: Record<string, unknown> };
    const meta: Metadata = {};
    const title = info?.Title;
    const author = info?.Author;
    if (typeof title === "string" && title.trim()) meta.title = title.trim();
    if (typeof author === "string" && author.trim()) meta.author = author.trim();
    const created = typeof info?.CreationDate === "string" ? parsePdfDate(info.CreationDate) : undefined;
    if (created) meta.created = created;
    return meta;
  } catch {
    return {};
  }
}

/** "D:YYYYMMDDHHmmSSOHH'mm'" → ISO 8601, or undefined. */
export function parsePdfDate(value: string): string | undefined {
  const m = /^D?:?(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?([Zz+-])?(\d{2})?'?(\d{2})?'?/.exec(value.trim());
  if (!m) return undefined;
  const [, y, mo = "01", d = "01", h = "00", mi = "00", s = "00", sign, oh = "00", om = "00"] = m;
  const tz = !sign || sign === "Z" || sign === "z" ? "Z" : `${sign}${oh}:${om}`;
  const date = new Date(`${y}-${mo}-${d}T${h}:${mi}:${s}${tz}`);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

async function extractDocx(bytes: Uint8Array): Promise<ExtractedDocument> {
  await checkDocxSize(bytes);
  let value: string;
  const warnings: string[] = [];
  try {
    const res = await mammoth.extractRawText({ buffer: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) });
    value = res.value;
  } catch (err) {
    throw new UnreadableDocumentError(
      `The DOCX cannot be read: ${err instanceof Error ? err.message : String(err)}.`,
      { cause: err },
    );
  }
  const text = value.replace(/\r\n?/g, "\n").replace(/\n{3,}/g, "\n\n").trim();
  return { mimeType: SUPPORTED_TYPES.docx, text, pages: [text], metadata: readDocxMetadata(bytes), truncated: false, warnings };
}

function readDocxMetadata(bytes: Uint8Array): Metadata {
  const entries = readZipDirectory(bytes);
  const core = entries?.find((e) => e.name === "docProps/core.xml");
  if (!core) return {};
  const raw = readZipEntry(bytes, core, 1_000_000);
  if (!raw) return {};
  const xml = new TextDecoder().decode(raw);
  const pick = (tag: string) => {
    const m = new RegExp(`<${tag}[^>]*>([^<]*)</${tag}>`).exec(xml);
    return m?.[1] ? decodeEntities(m[1]).trim() || undefined : undefined;
  };
  const meta: Metadata = {};
  const title = pick("dc:title");
  const author = pick("dc:creator");
  const created = pick("dcterms:created");
  if (title) meta.title = title;
  if (author) meta.author = author;
  if (created && !Number.isNaN(Date.parse(created))) meta.created = new Date(created).toISOString();
  return meta;
}

function decodeEntities(s: string): string {
  return s
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&#(\d+);/g, (_, n: string) => String.fromCodePoint(Number(n)))
    .replace(/&#x([0-9a-f]+);/gi, (_, n: string) => String.fromCodePoint(parseInt(n, 16)))
    .replace(/&amp;/g, "&");
}

function extractHtml(bytes: Uint8Array): ExtractedDocument {
  const html = decodeText(bytes);
  if (decodeHead(bytes) === null) {
    throw new UnreadableDocumentError("The HTML document is not valid text.");
  }
  const text = convert(html, {
    wordwrap: false,
    selectors: [
      { selector: "a", options: { ignoreHref: true } },
      { selector: "img", format: "skip" },
      { selector: "script", format: "skip" },
      { selector: "style", format: "skip" },
      { selector: "noscript", format: "skip" },
      { selector: "head", format: "skip" },
      { selector: "h1", options: { uppercase: false } },
      { selector: "h2", options: { uppercase: false } },
      { selector: "h3", options: { uppercase: false } },
      { selector: "h4", options: { uppercase: false } },
      { selector: "h5", options: { uppercase: false } },
      { selector: "h6", options: { uppercase: false } },
      { selector: "table", options: { uppercaseHeaderCells: false } },
    ],
  })
    .replace(/\n{3,}/g, "\n\n")
    .trim();
  const metadata: Metadata = {};
  const title = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(html)?.[1];
  if (title?.trim()) metadata.title = decodeEntities(title.replace(/\s+/g, " ").trim());
  const author = /<meta\s+[^>]*name=["']author["'][^>]*content=["']([^"']*)["']/i.exec(html)?.[1];
  if (author?.trim()) metadata.author = decodeEntities(author.trim());
  return { mimeType: SUPPORTED_TYPES.html, text, pages: [text], metadata, truncated: false, warnings: [] };
}
