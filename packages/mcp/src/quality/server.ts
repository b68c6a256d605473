import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { AssessQualityInput, QualityOutputSchema } from "../schemas";
import { resolveDocument, toolError, toolResult } from "../tool-result";
import { SERVICE_INFO, type DocumentSource } from "../types";
import { assessQuality } from "./assess";

export function createQualityServer(deps: { documents: DocumentSource }): McpServer {
  const info = SERVICE_INFO.quality;
  const server = new McpServer({ name: `docgate-${info.name}`, version: info.version });
  server.registerTool(
    "assess_quality",
    {
      title: "Assess document quality",
      description:
        "Scores the extracted text of a document (by stored documentId or inline text) from 0 to 100 and lists located issues: " +
        "empty or near-empty text, garbled encoding, empty pages, low readability, undetermined language.",
      inputSchema: AssessQualityInput,
      outputSchema: QualityOutputSchema,
      annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    },
    async (input) => {
      try {
        const doc = await resolveDocument(input, deps.documents);
        return toolResult(assessQuality(doc));
      } catch (err) {
        return toolError(err);
      }
    },
  );
  return server;
}
