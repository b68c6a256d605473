import { Lexer, Parser, type Token } from "marked";
import { emptyStructure, htmlToPlainText, MAX_STRUCTURE_ITEMS } from "./html";
import type { DocumentMetadata, DocumentStructure } from "./types";

/**
 * Markdown → text, structure and metadata. marked's lexer gives the block tokens (headings,
 * tables, lists); its parser renders them to HTML, which becomes text the same way an HTML
 * document does. YAML-style front matter (`title:`, `author:`, `date:`) is metadata, not text.
 */
export function readMarkdown(source: string): {
  text: string;
  structure: DocumentStructure;
  metadata: DocumentMetadata;
  capped: boolean;
} {
  const { body, fields } = splitFrontMatter(source);
  const tokens = new Lexer({ gfm: true }).lex(body);
  const structure = emptyStructure();
  let capped = false;
  const visit = (list: Token[]) => {
    for (const token of list) {
      if (structure.headings.length + structure.tables.length + structure.lists.length >= MAX_STRUCTURE_ITEMS) {
        capped = true;
        return;
      }
      switch (token.type) {
        case "heading":
          structure.headings.push({ level: token.depth, text: plain(token.text).slice(0, 300) });
          break;
        case "table":
          structure.tables.push({ rows: token.rows.length + 1, columns: token.header.length });
          break;
        case "list":
          structure.lists.push({ ordered: token.ordered, items: token.items.length });
          for (const item of token.items) visit(item.tokens ?? []);
          break;
        case "blockquote":
          visit(token.tokens ?? []);
          break;
      }
    }
  };
  visit(tokens);
  const text = htmlToPlainText(new Parser({ gfm: true }).parse(tokens));
  const metadata: DocumentMetadata = {};
  const title = fields.get("title") ?? structure.headings.find((h) => h.level === 1)?.text;
  if (title) metadata.title = title;
  const author = fields.get("author");
  if (author) metadata.author = author;
  const date = fields.get("date") ?? fields.get("created");
  if (date && !Number.isNaN(Date.parse(date))) metadata.created = new Date(date).toISOString();
  return { text, structure, metadata, capped };
}

/** Inline markdown of a heading without its emphasis and link syntax. */
function plain(inline: string): string {
  return inline
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/[*_`~]+/g, "")
    .replace(/\s+/g, " ")
    .trim();
}

function splitFrontMatter(source: string): { body: string; fields: Map<string, string> } {
  const fields = new Map<string, string>();
  const m = /^\uFEFF?---\r?\n([\s\S]{0,10000}?)\r?\n---\r?\n/.exec(source);
  if (!m) return { body: source, fields };
  for (const line of m[1]!.split(/\r?\n/)) {
    const kv = /^([A-Za-z_][\w-]*)\s*:\s*(.+)$/.exec(line);
    if (kv) fields.set(kv[1]!.toLowerCase(), kv[2]!.trim().replace(/^["']|["']$/g, ""));
  }
  return { body: source.slice(m[0].length), fields };
}

const MARKDOWN_SIGNALS: RegExp[] = [
  /^#{1,6}[ \t]+\S/m, // ATX heading
  /^\S[^\n]*\n(?:=+|-+)[ \t]*$/m, // setext heading
  /^```|^~~~/m, // fenced code
  /^\|?[^\n|]+\|[^\n]*\n\|?[ \t]*:?-{3,}:?[ \t]*\|/m, // table with a delimiter row
  /\[[^\]\n]+\]\([^)\s]+\)/, // inline link
  /^[ \t]{0,3}[-*+][ \t]+\S[^\n]*\n[ \t]{0,3}[-*+][ \t]+\S/m, // bullet list of two
  /^>[ \t]?\S/m, // block quote
  /(?:\*\*|__)\S[^\n]*?\S(?:\*\*|__)/, // strong emphasis
];

/**
 * Text that shows at least two different Markdown constructs, one of them a heading, fence,
 * table or link (a lone dash list is just as common in plain text). The first 16 KiB decide.
 */
export function looksLikeMarkdown(text: string): boolean {
  const head = text.slice(0, 16_384);
  const hits = MARKDOWN_SIGNALS.map((re) => re.test(head));
  const strong = hits.slice(0, 5).some(Boolean);
  return strong && hits.filter(Boolean).length >= 2;
}
