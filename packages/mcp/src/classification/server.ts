import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { ClassificationOutput, ClassifyInput } from "../schemas";
import { resolveDocument, toolError, toolResult } from "../tool-result";
import { SERVICE_INFO, type DocumentSource, type ModelSource } from "../types";
import { extractFeatures } from "./document-features";
import { predict } from "./model";

export function createClassificationServer(deps: { documents: DocumentSource; models: ModelSource }): McpServer {
  const info = SERVICE_INFO.classification;
  const server = new McpServer({ name: `docgate-${info.name}`, version: info.version });
  server.registerTool(
    "classify_document",
    {
      title: "Classify document",
      description:
        "Classifies a document (by stored documentId or inline text) with the active model of a taxonomy. " +
        "Returns the label, confidence, per-label scores, the terms that drove the decision and descriptive features.",
      inputSchema: ClassifyInput,
      outputSchema: ClassificationOutput,
      annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    },
    async (input) => {
      try {
        const doc = await resolveDocument(input, deps.documents);
        const active = await deps.models.getActiveModel(input.taxonomy);
        const prediction = predict(active.model, doc.text);
        const out: ClassificationOutput = {
          label: prediction.label,
          confidence: prediction.confidence,
          scores: prediction.scores,
          taxonomy: active.taxonomy,
          model: { id: active.id, version: active.version },
          features: extractFeatures(doc),
          explanation: prediction.explanation,
          ...(prediction.reason ? { reason: prediction.reason } : {}),
          decidedBy: "model",
        };
        return toolResult(out);
      } catch (err) {
        return toolError(err);
      }
    },
  );
  return server;
}
