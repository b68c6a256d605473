import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";

export function toolResult<T extends Record<string, unknown>>(out: T): CallToolResult {
  return { content: [{ type: "text", text: JSON.stringify(out) }], structuredContent: out };
}

export function toolError(err: unknown): CallToolResult {
  const message = err instanceof Error ? err.message : String(err);
  return { isError: true, content: [{ type: "text", text: message || "The tool failed." }] };
}

/**
 * A tool handler that answers with `run`'s value as the structured result, and turns a throw
 * into an `isError` result (a tool never throws at the client). Shared by the MCP servers
 * instead of a try/catch in every tool.
 */
export function toolHandler<Args extends unknown[], T extends Record<string, unknown>>(
  run: (...args: Args) => T | Promise<T>,
): (...args: Args) => Promise<CallToolResult> {
  return async (...args) => {
    try {
      return toolResult(await run(...args));
    } catch (err) {
      return toolError(err);
    }
  };
}

/** Text of a document given either inline or by id (the input schema guarantees exactly one). */
export async function resolveDocument<D extends { text: string; pages: string[] }>(
  input: { documentId?: string | undefined; text?: string | undefined },
  documents: { getText(documentId: string): Promise<D> },
): Promise<D | { text: string; pages: string[] }> {
  if (input.text !== undefined) return { text: input.text, pages: [input.text] };
  if (input.documentId === undefined) throw new Error("Provide exactly one of documentId or text.");
  return documents.getText(input.documentId);
}
