/**
 * Document fixtures built in code (no binary files in the repo). Other packages' tests
 * import this file by relative path (`packages/mcp/test/fixtures.ts`).
 */
import { deflateRawSync, deflateSync } from "node:zlib";

export type PdfMeta = { title?: string; author?: string; created?: Date };

function pdfString(s: string): string {
  // WinAnsi-ish: keep ASCII, replace the rest, escape the PDF string delimiters.
  return "(" + s.replace(/[^\x20-\x7e]/g, "?").replace(/([\\()])/g, "\\$1") + ")";
}

function wrap(text: string, width = 90): string[] {
  const out: string[] = [];
  for (const para of text.split("\n")) {
    let line = "";
    for (const word of para.split(/\s+/).filter(Boolean)) {
      if (line && line.length + 1 + word.length > width) {
        out.push(line);
        line = word;
      } else line = line ? `${line} ${word}` : word;
    }
    out.push(line);
  }
  return out;
}

function pdfDate(d: Date): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return `D:${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}Z`;
}

/**
 * A valid PDF 1.4 with one page per entry of `pages` (Helvetica 11pt, wrapped lines),
 * an Info dictionary and a correct xref table. An empty string gives a page without text.
 */
export function makePdf(pages: string[] | string, meta: PdfMeta = {}): Uint8Array {
  const pageTexts = typeof pages === "string" ? [pages] : pages;
  const objects: string[] = [];
  const n = pageTexts.length;
  // 1 catalog, 2 pages, 3 font, 4 info, then (page, content) pairs.
  const pageIds = pageTexts.map((_, i) => 5 + i * 2);
  objects[1] = "<< /Type /Catalog /Pages 2 0 R >>";
  objects[2] = `<< /Type /Pages /Kids [${pageIds.map((id) => `${id} 0 R`).join(" ")}] /Count ${n} >>`;
  objects[3] = "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>";
  const info: string[] = ["/Producer (docgate fixtures)"];
  if (meta.title) info.push(`/Title ${pdfString(meta.title)}`);
  if (meta.author) info.push(`/Author ${pdfString(meta.author)}`);
  if (meta.created) info.push(`/CreationDate (${pdfDate(meta.created)})`);
  objects[4] = `<< ${info.join(" ")} >>`;
  pageTexts.forEach((text, i) => {
    const lines = text.trim() ? wrap(text) : [];
    const ops = lines.length
      ? `BT /F1 11 Tf 14 TL 56 760 Td ${lines.map((l) => `${pdfString(l)} Tj T*`).join(" ")} ET`
      : "";
    const pageId = pageIds[i]!;
    objects[pageId] =
      `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> /Contents ${pageId + 1} 0 R >>`;
    objects[pageId + 1] = `<< /Length ${Buffer.byteLength(ops, "latin1")} >>\nstream\n${ops}\nendstream`;
  });
  return serializePdf(objects, "/Info 4 0 R");
}

/**
 * A PDF whose pages are only pictures (DeviceGray, 8 bits, Flate), like a scan: no text
 * layer. `pages` are gray images (one byte per pixel); each fills a page of its pixel size.
 */
export function makeImagePdf(pages: { width: number; height: number; data: Uint8Array }[]): Uint8Array {
  const objects: string[] = [];
  const pageIds = pages.map((_, i) => 3 + i * 3);
  objects[1] = "<< /Type /Catalog /Pages 2 0 R >>";
  objects[2] = `<< /Type /Pages /Kids [${pageIds.map((id) => `${id} 0 R`).join(" ")}] /Count ${pages.length} >>`;
  pages.forEach((img, i) => {
    const id = pageIds[i]!;
    const ops = `q ${img.width} 0 0 ${img.height} 0 0 cm /Im0 Do Q`;
    const pixels = deflateSync(img.data).toString("latin1");
    objects[id] =
      `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${img.width} ${img.height}] /Resources << /XObject << /Im0 ${id + 2} 0 R >> >> /Contents ${id + 1} 0 R >>`;
    objects[id + 1] = `<< /Length ${ops.length} >>\nstream\n${ops}\nendstream`;
    objects[id + 2] =
      `<< /Type /XObject /Subtype /Image /Width ${img.width} /Height ${img.height} /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode /Length ${pixels.length} >>\nstream\n${pixels}\nendstream`;
  });
  return serializePdf(objects);
}

/** Objects 1… (index = object number) as a PDF file with its cross-reference table. */
function serializePdf(objects: string[], trailerExtra = ""): Uint8Array {
  let out = "%PDF-1.4\n%\xe2\xe3\xcf\xd3\n";
  const offsets: number[] = [];
  for (let id = 1; id < objects.length; id++) {
    offsets[id] = Buffer.byteLength(out, "latin1");
    out += `${id} 0 obj\n${objects[id]}\nendobj\n`;
  }
  const xrefAt = Buffer.byteLength(out, "latin1");
  out += `xref\n0 ${objects.length}\n0000000000 65535 f \n`;
  for (let id = 1; id < objects.length; id++) out += `${String(offsets[id]).padStart(10, "0")} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length} /Root 1 0 R${trailerExtra ? ` ${trailerExtra}` : ""} >>\nstartxref\n${xrefAt}\n%%EOF\n`;
  return new Uint8Array(Buffer.from(out, "latin1"));
}

// ---- zip / docx ----

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(data: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++) c = CRC_TABLE[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** A minimal zip writer (deflate, no zip64). */
export function makeZip(files: { name: string; data: string | Uint8Array }[]): Uint8Array {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const f of files) {
    const raw = typeof f.data === "string" ? Buffer.from(f.data, "utf8") : Buffer.from(f.data);
    const comp = deflateRawSync(raw);
    const name = Buffer.from(f.name, "utf8");
    const crc = crc32(raw);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(8, 8);
    local.writeUInt16LE(0, 10);
    local.writeUInt16LE(0x21, 12); // 1980-01-01
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(comp.length, 18);
    local.writeUInt32LE(raw.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(8, 10);
    central.writeUInt16LE(0, 12);
    central.writeUInt16LE(0x21, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(comp.length, 20);
    central.writeUInt32LE(raw.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, comp);
    centrals.push(central, name);
    offset += local.length + name.length + comp.length;
  }
  const cd = Buffer.concat(centrals);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(files.length, 8);
  eocd.writeUInt16LE(files.length, 10);
  eocd.writeUInt32LE(cd.length, 12);
  eocd.writeUInt32LE(offset, 16);
  return new Uint8Array(Buffer.concat([...locals, cd, eocd]));
}

function xmlEscape(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** A minimal valid DOCX: one paragraph per line of `text`, optional core properties. */
export function makeDocx(text: string, meta: { title?: string; author?: string; created?: Date } = {}): Uint8Array {
  const paragraphs = text
    .split("\n")
    .map((line) => `<w:p><w:r><w:t xml:space="preserve">${xmlEscape(line)}</w:t></w:r></w:p>`)
    .join("");
  const files: { name: string; data: string }[] = [
    {
      name: "[Content_Types].xml",
      data:
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' +
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
        '<Default Extension="xml" ContentType="application/xml"/>' +
        '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>' +
        '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>' +
        "</Types>",
    },
    {
      name: "_rels/.rels",
      data:
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' +
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>' +
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>' +
        "</Relationships>",
    },
    {
      name: "word/document.xml",
      data:
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' +
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">' +
        `<w:body>${paragraphs}</w:body></w:document>`,
    },
    {
      name: "docProps/core.xml",
      data:
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' +
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" ' +
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" ' +
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">' +
        (meta.title ? `<dc:title>${xmlEscape(meta.title)}</dc:title>` : "") +
        (meta.author ? `<dc:creator>${xmlEscape(meta.author)}</dc:creator>` : "") +
        (meta.created ? `<dcterms:created xsi:type="dcterms:W3CDTF">${meta.created.toISOString()}</dcterms:created>` : "") +
        "</cp:coreProperties>",
    },
  ];
  return makeZip(files);
}

/** An HTML page with a title, a script and a style (which extraction must skip) and paragraphs. */
export function makeHtml(body: string, title = "Fixture page"): Uint8Array {
  const paras = body
    .split("\n")
    .map((p) => `<p>${xmlEscape(p)}</p>`)
    .join("\n");
  const html =
    `<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>${xmlEscape(title)}</title>` +
    `<meta name="author" content="Fixture Author">` +
    `<style>body { color: red; }</style><script>var secret = "should-not-appear";</script></head>\n` +
    `<body><h1>${xmlEscape(title)}</h1>\n${paras}\n<p><a href="https://example.com/x">a link</a></p></body></html>\n`;
  return new Uint8Array(Buffer.from(html, "utf8"));
}

export const SAMPLE_TEXT =
  "Quarterly revenue grew by twelve percent compared with the same period last year. " +
  "The board approved the budget for the new distribution centre, which will open in the spring. " +
  "Operating costs remained stable, and the company expects steady demand for its products.";

/** Clean English prose: a quality assessment should find nothing above info in it. */
export const CLEAN_PROSE =
  "The committee met on Tuesday to review the annual budget. Members agreed that the library needs new shelves and better lighting. " +
  "The treasurer explained that donations rose this year, so the plan is affordable. " +
  "Work will begin in the autumn and should finish before the winter holidays. " +
  "Volunteers are welcome to help move the books, and the children's corner will stay open during the work. " +
  "A short report will be posted on the notice board every month so that everyone can follow the progress. " +
  "The committee thanked the staff for their patience and the readers for their support. " +
  "Next year the group hopes to add a reading room with comfortable chairs and a small café for visitors.";

/** A one-page document of `text`, as assessQuality takes it. */
export const singlePage = (text: string) => ({ text, pages: [text] });

/** The first `perLabel` examples of each label, in corpus order (small training sets for tests). */
export function take<T extends { label: string }>(examples: T[], perLabel: number): T[] {
  const counts = new Map<string, number>();
  return examples.filter((ex) => {
    const n = counts.get(ex.label) ?? 0;
    counts.set(ex.label, n + 1);
    return n < perLabel;
  });
}
