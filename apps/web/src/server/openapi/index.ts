import { OpenAPIRegistry, OpenApiGeneratorV31 } from "@asteasolutions/zod-to-openapi";
import { z } from "zod";
import { HealthSchema, JobSchema, ProcessFormSchema, WaitQuerySchema } from "../api-schemas";
import { errors } from "./shared";
import { registerAccessPaths } from "./paths-access";
import { registerModelPaths } from "./paths-models";
import { registerProfilePaths } from "./paths-profiles";
import { registerServicePaths } from "./paths-services";

function buildDocument() {
  const registry = new OpenAPIRegistry();
  registry.registerComponent("securitySchemes", "apiKey", { type: "http", scheme: "bearer", description: "An API key: `dg_…`" });
  const JobId = z.object({ id: z.string().meta({ description: "Job id" }) });

  registry.registerPath({
    method: "post",
    path: "/api/v1/process",
    summary: "Process a document",
    description: "Accepts a document and runs the named services on it. Answers 200 with the finished job, or 202 with a Location when `wait` runs out first.",
    security: [{ apiKey: [] }],
    request: {
      query: WaitQuerySchema,
      headers: z.object({
        "idempotency-key": z.string().min(1).max(200).optional().meta({
          description: "Makes a retry safe: the same key (per API key or user) answers with the job the first request made, whatever its state, with `Idempotent-Replayed: true`. The same key with another document, services or options is refused (422 `idempotency_key_reused`).",
        }),
      }),
      body: { content: { "multipart/form-data": { schema: ProcessFormSchema } } },
    },
    responses: {
      200: { description: "The finished job", headers: { "Idempotent-Replayed": { schema: { type: "string" }, description: "`true` when the job is an earlier request's (same Idempotency-Key)" } }, content: { "application/json": { schema: JobSchema } } },
      202: { description: "Accepted; poll the Location", headers: { Location: { schema: { type: "string" } }, "Idempotent-Replayed": { schema: { type: "string" } } }, content: { "application/json": { schema: JobSchema } } },
      ...errors(400, 401, 403, 413, 415, 422, 503),
    },
  });
  registry.registerPath({
    method: "get",
    path: "/api/v1/jobs/{id}",
    summary: "Get a job",
    security: [{ apiKey: [] }],
    request: { params: JobId },
    responses: { 200: { description: "The job", content: { "application/json": { schema: JobSchema } } }, ...errors(401, 404) },
  });
  registry.registerPath({
    method: "get",
    path: "/api/v1/jobs/{id}/events",
    summary: "Stream a job's progress (server-sent events)",
    description: "Events: `job` (a full snapshot), `task.running` (once a task has run for 100 ms; a quicker task sends only `task.finished`), `task.retrying`, `task.finished`, `job.finished`. The stream ends when the job is final.",
    security: [{ apiKey: [] }],
    request: { params: JobId },
    responses: { 200: { description: "An event stream", content: { "text/event-stream": { schema: { type: "string" } } } }, ...errors(401, 404) },
  });
  registry.registerPath({
    method: "get",
    path: "/api/health",
    summary: "Health of Postgres, Redis and every registered service",
    responses: {
      200: { description: "Postgres and Redis are up", content: { "application/json": { schema: HealthSchema } } },
      503: { description: "Postgres or Redis is down", content: { "application/json": { schema: HealthSchema } } },
    },
  });
  // Each domain registers its own paths (one file per domain, one owner per file).
  registerAccessPaths(registry);
  registerModelPaths(registry);
  registerServicePaths(registry);
  registerProfilePaths(registry);
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: "3.1.0",
    info: { title: "Docgate API", version: "1.0.0", description: "Send a document and a list of services; get one aggregated, typed result." },
  });
}

let cached: ReturnType<typeof buildDocument> | undefined;
export function openApiDocument() {
  cached ??= buildDocument();
  return cached;
}
