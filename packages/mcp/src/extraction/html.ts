import { convert, type DomNode, type FormatCallback } from "html-to-text";
import type { DocumentMetadata, DocumentStructure, ExtractionCut } from "./types";

/** At most this many headings / tables / lists are reported (a page of them says enough). */
export const MAX_STRUCTURE_ITEMS = 200;

const SKIPPED = ["img", "script", "style", "noscript", "head"].map((selector) => ({ selector, format: "skip" }));

/** Readable text of an HTML document: no markup, scripts or head; headings keep their case. */
export function htmlToPlainText(html: string): string {
  return convert(html, {
    wordwrap: false,
    selectors: [
      { selector: "a", options: { ignoreHref: true } },
      ...SKIPPED,
      ...[1, 2, 3, 4, 5, 6].map((n) => ({ selector: `h${n}`, options: { uppercase: false } })),
      { selector: "table", options: { uppercaseHeaderCells: false } },
    ],
  })
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

export function structureCut(): ExtractionCut {
  return { limit: "structure", message: `Only the first ${MAX_STRUCTURE_ITEMS} headings, tables and lists are listed in the structure.` };
}

export function emptyStructure(): DocumentStructure {
  return { headings: [], tables: [], lists: [] };
}

/**
 * Headings, tables and lists of an HTML document, read by a second html-to-text pass whose
 * formatters only record (html-to-text parses with htmlparser2 and bounds depth and size).
 */
export function htmlStructure(html: string): { structure: DocumentStructure; capped: boolean } {
  const structure = emptyStructure();
  let capped = false;
  const room = () => {
    const used = structure.headings.length + structure.tables.length + structure.lists.length;
    if (used >= MAX_STRUCTURE_ITEMS) capped = true;
    return !capped;
  };
  const heading: FormatCallback = (elem) => {
    const text = textOf(elem).replace(/\s+/g, " ").trim();
    if (text && room()) structure.headings.push({ level: Number(elem.name?.slice(1)) || 1, text: text.slice(0, 300) });
  };
  const table: FormatCallback = (elem, walk, builder) => {
    const rows = descendants(elem, "tr");
    const columns = Math.max(0, ...rows.map((tr) => tr.children.filter(isCell).reduce((n, c) => n + span(c), 0)));
    if (rows.length && room()) structure.tables.push({ rows: rows.length, columns });
    walk(elem.children, builder);
  };
  const list: FormatCallback = (elem, walk, builder) => {
    const items = elem.children.filter((c) => c.type === "tag" && c.name === "li").length;
    if (items && room()) structure.lists.push({ ordered: elem.name === "ol", items });
    walk(elem.children, builder);
  };
  convert(html, {
    wordwrap: false,
    formatters: { heading, table, list },
    selectors: [
      ...SKIPPED,
      ...[1, 2, 3, 4, 5, 6].map((n) => ({ selector: `h${n}`, format: "heading" })),
      { selector: "table", format: "table" },
      { selector: "ul", format: "list" },
      { selector: "ol", format: "list" },
    ],
  });
  return { structure, capped };
}

function textOf(node: DomNode): string {
  if (node.type === "text") return node.data ?? "";
  return (node.children ?? []).map(textOf).join("");
}

/** `tr` elements of this table, not of tables nested in its cells. */
function descendants(node: DomNode, name: string): DomNode[] {
  const out: DomNode[] = [];
  for (const child of node.children ?? []) {
    if (child.type !== "tag") continue;
    if (child.name === name) out.push(child);
    else if (child.name !== "table") out.push(...descendants(child, name));
  }
  return out;
}

const isCell = (n: DomNode) => n.type === "tag" && (n.name === "td" || n.name === "th");
const span = (n: DomNode) => Math.max(1, Math.min(100, Number((n.attribs as Record<string, string> | undefined)?.colspan) || 1));

/** <title>, and author / creation date from the usual <meta> names. */
export function htmlMetadata(html: string): DocumentMetadata {
  const head = html.slice(0, 200_000);
  const meta: DocumentMetadata = {};
  const title = /<title[^>]*>([\s\S]{0,2000}?)<\/title>/i.exec(head)?.[1];
  if (title?.trim()) meta.title = decodeEntities(title.replace(/\s+/g, " ").trim());
  const author = metaContent(head, ["author", "dc.creator", "dcterms.creator", "article:author"]);
  if (author) meta.author = author;
  const created = metaContent(head, ["dcterms.created", "dc.date", "date", "article:published_time", "created"]);
  if (created && !Number.isNaN(Date.parse(created))) meta.created = new Date(created).toISOString();
  return meta;
}

function metaContent(html: string, names: string[]): string | undefined {
  for (const tag of html.match(/<meta\b[^>]{0,1000}>/gi) ?? []) {
    const name = /\b(?:name|property)\s*=\s*["']([^"']*)["']/i.exec(tag)?.[1]?.toLowerCase();
    if (!name || !names.includes(name)) continue;
    const content = /\bcontent\s*=\s*["']([^"']*)["']/i.exec(tag)?.[1]?.trim();
    if (content) return decodeEntities(content);
  }
  return undefined;
}

export function decodeEntities(s: string): string {
  return s
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&#(\d+);/g, (_, n: string) => safeCodePoint(Number(n)))
    .replace(/&#x([0-9a-f]+);/gi, (_, n: string) => safeCodePoint(parseInt(n, 16)))
    .replace(/&amp;/g, "&");
}

function safeCodePoint(n: number): string {
  return n >= 0 && n <= 0x10ffff ? String.fromCodePoint(n) : "\uFFFD";
}
