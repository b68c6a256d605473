import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";

export function toolResult<T extends Record<string, unknown>>(out: T): CallToolResult {
  return { content: [{ type: "text", text: JSON.stringify(out) }], structuredContent: out };
}

export function toolError(err: unknown): CallToolResult {
  const message = err instanceof Error ? err.message : String(err);
  return { isError: true, content: [{ type: "text", text: message || "The tool failed." }] };
}

/** Text of a document given either inline or by id (the input schema guarantees exactly one). */
export async function resolveDocument(
  input: { documentId?: string | undefined; text?: string | undefined },
  documents: { getText(documentId: string): Promise<{ text: string; pages: string[]; mimeType?: string }> },
): Promise<{ text: string; pages: string[]; mimeType?: string }> {
  if (input.text !== undefined) return { text: input.text, pages: [input.text] };
  if (input.documentId === undefined) throw new Error("Provide exactly one of documentId or text.");
  return documents.getText(input.documentId);
}
