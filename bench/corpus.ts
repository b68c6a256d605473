// The benchmark's mixed corpus, generated so every document is distinct (no dedupe, no cache).
import { createRng } from "../packages/mcp/src/classification/prng";
import { makeDocx, makeHtml, makePdf } from "../packages/mcp/test/fixtures";

const WORDS = (
  "the committee report budget year market growth policy research council data analysis results method study " +
  "customer service quality process system design evidence public private sector region national local plan " +
  "increase decrease review approve propose measure figure table section chapter summary conclusion value risk"
).split(" ");

function sentence(rng: () => number): string {
  const n = 8 + Math.floor(rng() * 12);
  const words = Array.from({ length: n }, () => WORDS[Math.floor(rng() * WORDS.length)]!);
  words[0] = words[0]!.charAt(0).toUpperCase() + words[0]!.slice(1);
  return `${words.join(" ")}.`;
}

export const seededRng = createRng;

/** FNV-1a of a string: a generator seed. */
function stringSeed(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}

/**
 * About `bytes` of English-like prose, its sentences drawn by a generator seeded from `nonce`:
 * documents differ in their words, not only in their first line, as real uploads do (one shared
 * body made every document an exact near-duplicate of the first, which skipped the look-up real
 * documents pay for).
 */
export function prose(bytes: number, nonce: string, rng = seededRng(stringSeed(nonce))): string {
  let text = `Document ${nonce}. `;
  while (text.length < bytes) text += `${sentence(rng)} `;
  return text.slice(0, bytes);
}

export type BenchDoc = { kind: string; filename: string; mimeType: string; bytes: Uint8Array };

export function makeDoc(kind: "text1k" | "text10k" | "html" | "docx" | "pdf10", nonce: string): BenchDoc {
  switch (kind) {
    case "text1k":
      return { kind, filename: `${nonce}.txt`, mimeType: "text/plain", bytes: new TextEncoder().encode(prose(1024, nonce)) };
    case "text10k":
      return { kind, filename: `${nonce}.txt`, mimeType: "text/plain", bytes: new TextEncoder().encode(prose(10 * 1024, nonce)) };
    case "html":
      return { kind, filename: `${nonce}.html`, mimeType: "text/html", bytes: makeHtml(`<h1>Report ${nonce}</h1><p>${prose(4096, nonce)}</p>`) };
    case "docx":
      return { kind, filename: `${nonce}.docx`, mimeType: "application/vnd.openxmlformats-officedocument.wordprocessingml.document", bytes: makeDocx(prose(4096, nonce)) };
    case "pdf10":
      return { kind, filename: `${nonce}.pdf`, mimeType: "application/pdf", bytes: makePdf(Array.from({ length: 10 }, (_, i) => prose(1500, `${nonce}-p${i}`))) };
  }
}

export const MIXED_KINDS = ["text1k", "text10k", "html", "docx", "pdf10"] as const;
