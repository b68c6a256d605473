import type { DocumentMapping } from "./register";

export type MappedDocument = {
  id: string;
  filename: string;
  mimeType: string;
  /** Extracted text (stored once per document and shared with every service). */
  text(): Promise<string>;
  bytes(): Promise<Uint8Array>;
};

/**
 * The arguments an external tool gets for a document, as the admin mapped it:
 * - `text`: the extracted text as a string;
 * - `content`: the original bytes as an MCP embedded resource (`{type: "resource", resource: {uri, mimeType, blob}}`);
 * - `resource_link`: an MCP resource link to the bytes on this gateway
 *   (`DOCGATE_PUBLIC_URL/api/v1/documents/{id}/content`), which the server fetches with a key of its own.
 */
export async function documentArguments(
  mapping: DocumentMapping,
  argument: string,
  doc: MappedDocument,
  publicUrl = process.env.DOCGATE_PUBLIC_URL,
): Promise<Record<string, unknown>> {
  const uri = `${(publicUrl ?? "http://localhost:3000").replace(/\/$/, "")}/api/v1/documents/${doc.id}/content`;
  switch (mapping) {
    case "text":
      return { [argument]: await doc.text() };
    case "content":
      return {
        [argument]: {
          type: "resource",
          resource: { uri, mimeType: doc.mimeType, blob: Buffer.from(await doc.bytes()).toString("base64") },
        },
      };
    case "resource_link":
      return { [argument]: { type: "resource_link", uri, name: doc.filename, mimeType: doc.mimeType } };
  }
}
