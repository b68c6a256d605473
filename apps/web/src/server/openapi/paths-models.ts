import type { OpenAPIRegistry } from "@asteasolutions/zod-to-openapi";
import { z } from "zod";
import {
  AddExamplesResponseSchema, AddExamplesSchema, CreateTaxonomySchema, ModelSchema, TaxonomySchema, TrainResponseSchema,
} from "../model-schemas";
import { LabelRulesSchema, SetLabelRulesInput, StoredLabelRuleSchema } from "@docgate/mcp";
import { errors } from "./shared";

const json = <T extends z.ZodType>(schema: T) => ({ content: { "application/json": { schema } } });

export function registerModelPaths(registry: OpenAPIRegistry): void {
  const security = [{ apiKey: [] }];
  const TaxonomyRef = z.object({ id: z.string().meta({ description: "Taxonomy id or name" }) });
  const ModelRef = z.object({ id: z.string().meta({ description: "Model id" }) });

  registry.registerPath({
    method: "get", path: "/api/v1/taxonomies", summary: "List taxonomies", security,
    responses: { 200: { description: "Every taxonomy with its active model", ...json(z.array(TaxonomySchema)) }, ...errors(401) },
  });
  registry.registerPath({
    method: "post", path: "/api/v1/taxonomies", summary: "Create a taxonomy (operator)", security,
    request: { body: json(CreateTaxonomySchema) },
    responses: { 201: { description: "The taxonomy", ...json(TaxonomySchema) }, ...errors(400, 401, 403, 409) },
  });
  registry.registerPath({
    method: "get", path: "/api/v1/taxonomies/{id}", summary: "A taxonomy with every model version", security,
    request: { params: TaxonomyRef },
    responses: {
      200: { description: "The taxonomy, its models and its label rules", ...json(TaxonomySchema.extend({ models: z.array(ModelSchema) }).extend(LabelRulesSchema.shape)) },
      ...errors(401, 404),
    },
  });
  registry.registerPath({
    method: "get", path: "/api/v1/taxonomies/{id}/rules", summary: "Label rules of a taxonomy, in evaluation order", security,
    request: { params: TaxonomyRef },
    responses: { 200: { description: "The rules", ...json(LabelRulesSchema.meta({ id: "LabelRules" })) }, ...errors(401, 404) },
  });
  registry.registerPath({
    method: "put", path: "/api/v1/taxonomies/{id}/labels/{label}/rules", summary: "Set one label's rules (admin)",
    description:
      "Rules decide a label before the model, as in paperless-ngx: `any` of the words, `all` of the words (whole words), the exact " +
      "`phrase`, or a `regex`; `caseInsensitive` defaults to true. Rules are tried in the taxonomy's label order, then in the order " +
      "given here; the first match decides and the classification says `decidedBy: \"rule\"` and which rule. Replaces the label's " +
      "rules (an empty list removes them); an invalid regular expression is a 400 and nothing changes. Regexes run on the first " +
      "100,000 characters with a time limit; one that overruns is skipped and reported in the result's `warnings`.",
    security,
    request: { params: TaxonomyRef.extend({ label: z.string().meta({ description: "A label of the taxonomy" }) }), body: json(SetLabelRulesInput.meta({ id: "SetLabelRules" })) },
    responses: {
      200: { description: "The label's rules", ...json(z.object({ label: z.string(), rulesVersion: z.number().int(), rules: z.array(StoredLabelRuleSchema) })) },
      ...errors(400, 401, 403, 404, 413, 415),
    },
  });
  registry.registerPath({
    method: "post", path: "/api/v1/taxonomies/{id}/examples", summary: "Add labelled examples (operator)",
    description: "All or nothing: an example whose label is not in the taxonomy refuses the whole request.", security,
    request: { params: TaxonomyRef, body: json(AddExamplesSchema) },
    responses: { 201: { description: "Counts", ...json(AddExamplesResponseSchema) }, ...errors(400, 401, 403, 404, 413) },
  });
  registry.registerPath({
    method: "post", path: "/api/v1/taxonomies/{id}/import", summary: "Bulk import labelled examples (operator)",
    description: "JSONL of {text, label} (application/x-ndjson), or a ZIP whose top-level folders are labels and whose files are documents of any supported type (application/zip). Up to 50 MiB; all or nothing.", security,
    request: {
      params: TaxonomyRef,
      body: { content: { "application/x-ndjson": { schema: z.string() }, "application/zip": { schema: z.string().meta({ format: "binary" }) } } },
    },
    responses: { 201: { description: "Counts", ...json(AddExamplesResponseSchema) }, ...errors(400, 401, 403, 404, 413, 415, 422) },
  });
  registry.registerPath({
    method: "post", path: "/api/v1/taxonomies/{id}/train", summary: "Train a new model version in the background (operator)",
    description: "The new version becomes active by itself only when it scores at least as well as the active one on its held-out split.", security,
    request: { params: TaxonomyRef },
    responses: { 202: { description: "Training started; poll the model", ...json(TrainResponseSchema) }, ...errors(400, 401, 403, 404, 409, 503) },
  });
  registry.registerPath({
    method: "get", path: "/api/v1/models/{id}", summary: "A model version with its held-out metrics", security,
    request: { params: ModelRef },
    responses: { 200: { description: "The model", ...json(ModelSchema) }, ...errors(401, 404) },
  });
  registry.registerPath({
    method: "post", path: "/api/v1/models/{id}/activate", summary: "Activate a model version, or roll back to an earlier one (admin)", security,
    request: { params: ModelRef },
    responses: { 200: { description: "The activated model", ...json(ModelSchema) }, ...errors(401, 403, 404, 409) },
  });
}
