import mammoth from "mammoth";
import { readEmail } from "./email";
import { decodeEntities, htmlMetadata, htmlStructure, htmlToPlainText, structureCut } from "./html";
import { checkDocxSize, openPdf } from "./inspect";
import { readMarkdown } from "./markdown";
import { OcrTimeoutError, sharedOcrEngine, type OcrEngine } from "./ocr";
import { pageImages } from "./pdf-images";
import { decodeHead, detectUtf16Bom } from "./sniff";
import { readZipDirectory, readZipEntry } from "./zip";
import {
  DEFAULT_LIMITS,
  SUPPORTED_TYPES,
  UnreadableDocumentError,
  type ExtractedDocument,
  type ExtractionCut,
  type ExtractionLimits,
  type OcrReport,
  type SupportedMimeType,
} from "./types";

type Metadata = ExtractedDocument["metadata"];
/** What a reader returns; `finish` turns it into the ExtractedDocument. */
type Read = Omit<ExtractedDocument, "truncated" | "warnings" | "cuts"> & { cuts: ExtractionCut[]; notes?: string[] };

export type ExtractOptions = {
  /** OCR engine for PDF pages without text (default: the shared lazily started one). */
  ocr?: OcrEngine;
};

/** Cuts that leave text out (an unread attachment or a capped structure list do not). */
const TEXT_CUTS = new Set<ExtractionCut["limit"]>(["pages", "characters", "time", "ocr_pages", "ocr_time"]);

/**
 * Extracts plain text. Throws UnreadableDocumentError on input that cannot be parsed;
 * beyond a limit (pages, characters, time, OCR pages and time) returns what was read with
 * `truncated: true`, a `cuts` entry per limit and a warning saying what was cut.
 */
export async function extractText(
  bytes: Uint8Array,
  mimeType: SupportedMimeType,
  limits: Partial<ExtractionLimits> = {},
  options: ExtractOptions = {},
): Promise<ExtractedDocument> {
  const lim: ExtractionLimits = { ...DEFAULT_LIMITS, ...limits };
  const deadline = Date.now() + lim.timeoutMs;
  let read: Read;
  switch (mimeType) {
    case SUPPORTED_TYPES.pdf:
      read = await extractPdf(bytes, lim, deadline, options.ocr ?? sharedOcrEngine());
      break;
    case SUPPORTED_TYPES.docx:
      read = await withTimeout(extractDocx(bytes), lim.timeoutMs, "DOCX");
      break;
    case SUPPORTED_TYPES.html:
      read = extractHtml(bytes);
      break;
    case SUPPORTED_TYPES.markdown: {
      const md = readMarkdown(decodeText(bytes));
      read = { mimeType, text: md.text, pages: [md.text], metadata: md.metadata, structure: md.structure, cuts: md.capped ? [structureCut()] : [] };
      break;
    }
    case SUPPORTED_TYPES.email: {
      const mail = await withTimeout(readEmail(bytes), lim.timeoutMs, "e-mail");
      read = { mimeType, text: mail.text, pages: [mail.text], metadata: mail.metadata, structure: mail.structure, cuts: mail.cuts };
      break;
    }
    case SUPPORTED_TYPES.text: {
      const text = decodeText(bytes);
      read = { mimeType, text, pages: [text], metadata: {}, structure: null, cuts: [] };
      break;
    }
    default:
      throw new UnreadableDocumentError(`Unsupported document type ${String(mimeType)}.`);
  }
  return applyCharLimit(finish(read), lim.maxChars);
}

function finish({ notes = [], cuts, ...read }: Read): ExtractedDocument {
  return {
    ...read,
    cuts,
    truncated: cuts.some((c) => TEXT_CUTS.has(c.limit)),
    warnings: [...cuts.map((c) => c.message), ...notes],
  };
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
  const cut: ExtractionCut = { limit: "characters", message: `Text was cut at ${maxChars} characters (the document has ${doc.text.length}).` };
  return {
    ...doc,
    text: doc.text.slice(0, maxChars),
    pages,
    truncated: true,
    cuts: [...(doc.cuts ?? []), cut],
    warnings: [...doc.warnings, cut.message],
  };
}

/** Races `work` against `ms`; `timedOut` makes the error (by default: the document is unreadable). */
async function withTimeout<T>(
  work: Promise<T>,
  ms: number,
  what: string,
  timedOut: () => Error = () => new UnreadableDocumentError(`Reading the ${what} took longer than ${ms} ms and was stopped.`),
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(timedOut()), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** A page with fewer characters than this has no usable text layer: OCR it. */
const MIN_TEXT_LAYER_CHARS = 3;

async function extractPdf(bytes: Uint8Array, lim: ExtractionLimits, deadline: number, ocr: OcrEngine): Promise<Read> {
  const doc = await withTimeout(openPdf(bytes), lim.timeoutMs, "PDF");
  const cuts: ExtractionCut[] = [];
  const notes: string[] = [];
  try {
    const metadata = await readPdfMetadata(doc);
    const total = doc.numPages;
    const readable = Math.min(total, lim.maxPages);
    if (total > lim.maxPages) cuts.push({ limit: "pages", message: `Only the first ${lim.maxPages} of ${total} pages were read.` });
    const pages: string[] = [];
    let failed = 0;
    for (let i = 1; i <= readable; i++) {
      if (Date.now() > deadline) {
        cuts.push({ limit: "time", message: `Reading stopped after ${i - 1} of ${total} pages: the ${lim.timeoutMs} ms time limit was reached.` });
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
    if (failed > 0) notes.push(`${failed} page(s) could not be parsed and are empty.`);
    const report = await ocrPages(doc, pages, lim, ocr, cuts);
    return { mimeType: SUPPORTED_TYPES.pdf, text: pages.join("\n\n"), pages, metadata, structure: null, ocr: report, cuts, notes };
  } finally {
    await doc.destroy().catch(() => undefined);
  }
}

/**
 * OCRs the embedded pictures of pages that have no text layer, in page order, within
 * `maxOcrPages` and `ocrTimeoutMs`; fills `pages` in place. A page that cannot be OCRed
 * (no picture, engine failure, budget gone) stays empty and is listed with the reason.
 */
async function ocrPages(
  doc: Awaited<ReturnType<typeof openPdf>>,
  pages: string[],
  lim: ExtractionLimits,
  ocr: OcrEngine,
  cuts: ExtractionCut[],
): Promise<OcrReport> {
  const started = Date.now();
  const report: OcrReport = { engine: "tesseract.js", pages: [], meanConfidence: null, skipped: [], ms: 0 };
  const empty = pages.flatMap((text, i) => (text.replace(/\s/g, "").length < MIN_TEXT_LAYER_CHARS ? [i + 1] : []));
  const confidences: number[] = [];
  const overPages: number[] = [];
  const overTime: number[] = [];
  for (const pageNumber of empty) {
    const left = started + lim.ocrTimeoutMs - Date.now();
    if (report.pages.length >= lim.maxOcrPages) {
      overPages.push(pageNumber);
      continue;
    }
    if (left <= 0) {
      overTime.push(pageNumber);
      continue;
    }
    try {
      const page = await doc.getPage(pageNumber);
      // Running out of budget while reading the pictures is the OCR budget, not a broken page.
      // (Timers may fire a millisecond before Date.now() says the budget is gone.)
      const images = await withTimeout(pageImages(page), left, "page images", () => new OcrTimeoutError(left));
      page.cleanup();
      if (!images.length) {
        report.skipped.push({ page: pageNumber, reason: "The page has no text layer and no embedded picture to read." });
        continue;
      }
      const texts: string[] = [];
      for (const image of images) {
        const result = await ocr.recognize(image, started + lim.ocrTimeoutMs - Date.now());
        texts.push(result.text.trim());
        confidences.push(result.confidence);
      }
      pages[pageNumber - 1] = texts.filter(Boolean).join("\n\n");
      report.pages.push(pageNumber);
    } catch (err) {
      if (err instanceof OcrTimeoutError || Date.now() >= started + lim.ocrTimeoutMs) overTime.push(pageNumber);
      else report.skipped.push({ page: pageNumber, reason: `OCR failed: ${err instanceof Error ? err.message : String(err)}.` });
    }
  }
  if (overPages.length) {
    cuts.push({ limit: "ocr_pages", message: `${overPages.length} page(s) without text were not OCRed: the limit is ${lim.maxOcrPages} OCR pages per document (pages ${listPages(overPages)}).` });
  }
  if (overTime.length) {
    cuts.push({ limit: "ocr_time", message: `${overTime.length} page(s) without text were not OCRed: the ${lim.ocrTimeoutMs} ms OCR time budget was used up (pages ${listPages(overTime)}).` });
  }
  for (const p of overPages) report.skipped.push({ page: p, reason: "OCR page limit reached." });
  for (const p of overTime) report.skipped.push({ page: p, reason: "OCR time budget used up." });
  report.skipped.sort((a, b) => a.page - b.page);
  report.meanConfidence = confidences.length ? Math.round(confidences.reduce((a, b) => a + b, 0) / confidences.length) : null;
  report.ms = Date.now() - started;
  return report;
}

function listPages(pages: number[]): string {
  return pages.length > 20 ? `${pages.slice(0, 20).join(", ")}, …` : pages.join(", ");
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

/** DOCX through mammoth's HTML: the same text and structure rules as an HTML document. */
async function extractDocx(bytes: Uint8Array): Promise<Read> {
  await checkDocxSize(bytes);
  let html: string;
  try {
    html = (await mammoth.convertToHtml({ buffer: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) })).value;
  } catch (err) {
    throw new UnreadableDocumentError(
      `The DOCX cannot be read: ${err instanceof Error ? err.message : String(err)}.`,
      { cause: err },
    );
  }
  const text = htmlToPlainText(html);
  const { structure, capped } = htmlStructure(html);
  return { mimeType: SUPPORTED_TYPES.docx, text, pages: [text], metadata: readDocxMetadata(bytes), structure, cuts: capped ? [structureCut()] : [] };
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

function extractHtml(bytes: Uint8Array): Read {
  const html = decodeText(bytes);
  if (decodeHead(bytes) === null) {
    throw new UnreadableDocumentError("The HTML document is not valid text.");
  }
  const text = htmlToPlainText(html);
  const { structure, capped } = htmlStructure(html);
  return { mimeType: SUPPORTED_TYPES.html, text, pages: [text], metadata: htmlMetadata(html), structure, cuts: capped ? [structureCut()] : [] };
}
