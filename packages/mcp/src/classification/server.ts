import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import {
  ClassificationOutput, ClassifyInput, ExtractFeaturesInput, ExtractedFeaturesSchema, ModelSummarySchema, TaxonomySummarySchema,
} from "../schemas";
import { resolveDocument, toolError, toolResult } from "../tool-result";
import { SERVICE_INFO, type DocumentSource, type ModelSource, type TaxonomyCatalog } from "../types";
import { extractDocumentFeatures, extractFeatures } from "./document-features";
import { predict } from "./model";
import { decideByRules } from "./rules";

/**
 * The classification MCP server. `catalog` (taxonomies, models, training) is optional: a
 * standalone server without a registry still classifies and extracts features.
 */
export function createClassificationServer(deps: { documents: DocumentSource; models: ModelSource; catalog?: TaxonomyCatalog }): McpServer {
  const info = SERVICE_INFO.classification;
  const server = new McpServer({ name: `docgate-${info.name}`, version: info.version });
  server.registerTool(
    "classify_document",
    {
      title: "Classify document",
      description:
        "Classifies a document (by stored documentId or inline text) with the active model of a taxonomy. " +
        "Label rules of the taxonomy decide first (decidedBy: rule, with the rule); otherwise the model does. " +
        "Returns the label, confidence, per-label scores, the terms that drove the decision and descriptive features.",
      inputSchema: ClassifyInput,
      outputSchema: ClassificationOutput,
      annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    },
    async (input) => {
      try {
        const doc = await resolveDocument(input, deps.documents);
        const active = await deps.models.getActiveModel(input.taxonomy);
        const ruled = await decideByRules(active.rules ?? [], doc.text);
        const base = {
          taxonomy: active.taxonomy,
          model: { id: active.id, version: active.version },
          features: extractFeatures(doc),
          ...(ruled.warnings.length ? { warnings: ruled.warnings } : {}),
        };
        let out: ClassificationOutput;
        if (ruled.decision) {
          const { rule, matched } = ruled.decision;
          const labels = active.model.labels.includes(rule.label) ? active.model.labels : [rule.label, ...active.model.labels];
          out = {
            ...base,
            label: rule.label,
            confidence: 1,
            scores: [{ label: rule.label, score: 1 }, ...labels.filter((l) => l !== rule.label).map((label) => ({ label, score: 0 }))],
            explanation: [{ term: matched, weight: 1 }],
            decidedBy: "rule",
            rule: { ...(rule.id ? { id: rule.id } : {}), label: rule.label, match: rule.match, pattern: rule.pattern, caseInsensitive: rule.caseInsensitive, matched },
          };
        } else {
          const prediction = predict(active.model, doc.text);
          out = {
            ...base,
            label: prediction.label,
            confidence: prediction.confidence,
            scores: prediction.scores,
            explanation: prediction.explanation,
            ...(prediction.reason ? { reason: prediction.reason } : {}),
            decidedBy: "model",
            rule: null,
          };
        }
        return toolResult(out);
      } catch (err) {
        return toolError(err);
      }
    },
  );
  server.registerTool(
    "extract_features",
    {
      title: "Extract features",
      description:
        "Language with confidence, counts (pages, words, sentences, characters), top keywords, structure (headings, tables, lists) " +
        "where the format shows it, entities (dates, amounts, e-mail addresses, URLs) with offsets, metadata (title, author, created) " +
        "and what extraction cut or OCRed.",
      inputSchema: ExtractFeaturesInput,
      outputSchema: ExtractedFeaturesSchema,
      annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    },
    async (input) => {
      try {
        return toolResult(extractDocumentFeatures(await resolveDocument(input, deps.documents)));
      } catch (err) {
        return toolError(err);
      }
    },
  );
  const catalog = deps.catalog;
  if (!catalog) return server;

  server.registerTool(
    "list_taxonomies",
    {
      title: "List taxonomies",
      description: "Every taxonomy with its labels, example count and active model.",
      inputSchema: z.object({}).strict(),
      outputSchema: z.object({ taxonomies: z.array(TaxonomySummarySchema) }),
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async () => {
      try {
        return toolResult({ taxonomies: await catalog.listTaxonomies() });
      } catch (err) {
        return toolError(err);
      }
    },
  );
  server.registerTool(
    "get_model",
    {
      title: "Get model",
      description: "A trained model version: status and held-out metrics (accuracy, macro-F1, per label, confusion matrix).",
      inputSchema: z.object({ modelId: z.string().min(1).max(100) }).strict(),
      outputSchema: ModelSummarySchema,
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async ({ modelId }) => {
      try {
        const model = await catalog.getModel(modelId);
        if (!model) throw new Error(`There is no model with id ${modelId}.`);
        return toolResult(model);
      } catch (err) {
        return toolError(err);
      }
    },
  );
  server.registerTool(
    "train_model",
    {
      title: "Train model",
      description: "Starts training a new model version of a taxonomy from its examples; returns the model id to poll with get_model.",
      inputSchema: z.object({ taxonomy: z.string().min(1).max(100) }).strict(),
      outputSchema: z.object({ modelId: z.string() }),
      annotations: { readOnlyHint: false, idempotentHint: false, openWorldHint: false },
    },
    async ({ taxonomy }) => {
      try {
        return toolResult(await catalog.trainModel(taxonomy));
      } catch (err) {
        return toolError(err);
      }
    },
  );
  return server;
}
