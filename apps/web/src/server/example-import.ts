// Bulk import of labelled examples: JSONL of {text, label}, or a ZIP of folders named by label
// whose files are any supported document type. Parsed completely before anything is written.
import { extractText, inflatedSizeWithin, readZipDirectory, readZipEntry, sniffType, UnreadableDocumentError } from "@docgate/mcp/extraction";
import { ApiError } from "./errors";

export const MAX_IMPORT_BYTES = 50 * 1024 * 1024;
const MAX_UNPACKED_BYTES = 200 * 1024 * 1024;
const MAX_FILE_BYTES = 10 * 1024 * 1024;

export type Example = { text: string; label: string };

export function parseJsonl(bytes: Uint8Array): Example[] {
  const text = new TextDecoder("utf-8", { fatal: false }).decode(bytes);
  const examples: Example[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (!line.trim()) return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new ApiError(400, "invalid_jsonl", `Line ${i + 1} is not valid JSON.`);
    }
    const { text: t, label } = (value ?? {}) as { text?: unknown; label?: unknown };
    if (typeof t !== "string" || typeof label !== "string" || !t.trim() || !label.trim()) {
      throw new ApiError(400, "invalid_jsonl", `Line ${i + 1} needs a non-empty string "text" and "label".`);
    }
    examples.push({ text: t, label: label.trim() });
  });
  if (!examples.length) throw new ApiError(400, "no_examples", "The file holds no examples.");
  return examples;
}

export async function parseZip(bytes: Uint8Array): Promise<Example[]> {
  const entries = readZipDirectory(bytes);
  if (!entries) throw new ApiError(400, "invalid_zip", "The file is not a readable ZIP archive.");
  if ((await inflatedSizeWithin(bytes, entries, MAX_UNPACKED_BYTES)) === null) {
    throw new ApiError(413, "import_too_large", `The archive unpacks to more than ${MAX_UNPACKED_BYTES / 1048576} MiB, or is damaged.`);
  }
  const examples: Example[] = [];
  for (const entry of entries) {
    const parts = entry.name.split("/").filter(Boolean);
    if (entry.name.endsWith("/") || parts.length < 2 || parts.some((p) => p.startsWith(".") || p === "__MACOSX")) continue;
    const label = parts[0]!;
    const data = readZipEntry(bytes, entry, MAX_FILE_BYTES);
    if (!data) throw new ApiError(400, "invalid_zip", `${entry.name} cannot be unpacked (damaged, or larger than ${MAX_FILE_BYTES / 1048576} MiB).`);
    const sniffed = await sniffType(data);
    if (!sniffed.ok) throw new ApiError(415, "unsupported_type", `${entry.name} is not a supported document type.`);
    try {
      const { text } = await extractText(data, sniffed.mimeType);
      if (text.trim()) examples.push({ text, label });
    } catch (error) {
      if (error instanceof UnreadableDocumentError) throw new ApiError(422, "unreadable_document", `${entry.name}: ${error.message}`);
      throw error;
    }
  }
  if (!examples.length) throw new ApiError(400, "no_examples", "The archive holds no files inside label folders (label/file.txt).");
  return examples;
}
