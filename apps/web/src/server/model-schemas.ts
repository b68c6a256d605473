// REST contract for taxonomies and models (validates requests; generates OpenAPI).
import { z } from "zod";
import { ModelSummarySchema as McpModelSummary, TaxonomySummarySchema as McpTaxonomySummary } from "@docgate/mcp";

export const CreateTaxonomySchema = z
  .object({
    name: z.string().min(1).max(64).meta({ example: "invoices" }),
    labels: z.array(z.string().min(1).max(64)).min(2, "A taxonomy needs at least two labels.").max(200),
    description: z.string().max(500).optional(),
  })
  .meta({ id: "CreateTaxonomy" });

export const AddExamplesSchema = z
  .object({
    examples: z.array(z.object({ text: z.string().min(1).max(200_000), label: z.string().min(1).max(64) })).min(1).max(5_000),
  })
  .meta({ id: "AddExamples" });

export const TaxonomySchema = McpTaxonomySummary.meta({ id: "Taxonomy" });
export const ModelSchema = McpModelSummary.meta({ id: "Model" });
export const TrainResponseSchema = z.object({ modelId: z.string(), version: z.number().int() }).meta({ id: "TrainResponse" });
export const AddExamplesResponseSchema = z.object({ added: z.number().int(), total: z.number().int() });
