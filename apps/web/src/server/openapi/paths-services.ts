import type { OpenAPIRegistry } from "@asteasolutions/zod-to-openapi";
import { z } from "zod";
import { AutoscalePolicySchema, ExternalServiceInputSchema, ServicePatchSchema } from "@docgate/orchestrator";
import { errors } from "./shared";

const InstanceSchema = z.object({
  id: z.string(), host: z.string(), pid: z.number().int(), version: z.string(), concurrency: z.number().int(),
  active: z.number().int().describe("Tasks running on this instance at its last heartbeat"),
  startedAt: z.string(), heartbeatAt: z.string(),
});

const ServiceSchema = z.object({
  name: z.string(),
  kind: z.enum(["builtin", "external"]),
  version: z.string().nullable(),
  status: z.enum(["up", "degraded", "down"]),
  checkedStatus: z.string().describe("What the health checker last recorded: unknown, up, degraded or down"),
  statusChangedAt: z.string().nullable(),
  enabled: z.boolean(),
  paused: z.boolean(),
  concurrency: z.number().int().describe("Tasks at once per worker instance"),
  replicas: z.number().int().describe("Desired worker processes per worker host"),
  replicasMin: z.number().int(),
  replicasMax: z.number().int(),
  rateLimitPerSecond: z.number().int().nullable(),
  timeoutMs: z.number().int(),
  autoscale: AutoscalePolicySchema.nullable().describe("The autoscaling policy, or null for manual scaling"),
  tools: z.array(z.object({ name: z.string(), description: z.string().nullable().optional() }).passthrough()),
  external: z.object({
    url: z.string().nullable(), tool: z.string().nullable(), documentArgument: z.string().nullable(),
    documentMapping: z.enum(["text", "content", "resource_link"]), hasToken: z.boolean(),
    breaker: z.object({ state: z.enum(["closed", "open", "half_open"]), openUntil: z.string().nullable() }),
  }).nullable().describe("External services only: URL, the tool jobs call, document mapping, circuit breaker (never the token)"),
  instances: z.array(InstanceSchema).describe("Live instances (heartbeat within 30 s)"),
});

/** Service registry and capacity: admin only. */
export function registerServicePaths(registry: OpenAPIRegistry): void {
  const security = [{ apiKey: [] }];
  const Name = z.object({ name: z.string() });
  const json = <T extends z.ZodType>(schema: T) => ({ "application/json": { schema } });

  registry.registerPath({
    method: "get", path: "/api/v1/services", tags: ["Services"], security,
    summary: "List services with health, capacity settings, live instances and tools",
    responses: { 200: { description: "Every service", content: json(z.array(ServiceSchema)) }, ...errors(401, 403, 429) },
  });
  registry.registerPath({
    method: "post", path: "/api/v1/services", tags: ["Services"], security,
    summary: "Register an external MCP server (Streamable HTTP)",
    description:
      "The URL's host must be on `DOCGATE_EXTERNAL_HOSTS` (400 `host_not_allowed`). Docgate connects with the optional " +
      "bearer `token`, lists the tools (400 `service_unreachable` if it cannot), and picks the tool jobs call: `tool`, " +
      "else the only tool, else the first taking a `text`/`content`/`document` argument. `documentMapping` says how the " +
      "document reaches it: `text` (extracted text), `content` (an embedded resource with the bytes, base64) or " +
      "`resource_link` (a link to `/api/v1/documents/{id}/content`). Audited as `service.register`; 409 `service_exists`.",
    request: { body: { content: json(ExternalServiceInputSchema) } },
    responses: { 201: { description: "The registered service", content: json(ServiceSchema) }, ...errors(400, 401, 403, 409, 415, 429) },
  });
  registry.registerPath({
    method: "delete", path: "/api/v1/services/{name}", tags: ["Services"], security,
    summary: "Remove an external service",
    description: "409 `builtin_service` for built-ins (disable them instead) and 409 `service_busy` while it has unfinished tasks. Audited as `service.remove`.",
    request: { params: Name },
    responses: { 204: { description: "Removed" }, ...errors(401, 403, 404, 409, 429) },
  });
  registry.registerPath({
    method: "get", path: "/api/v1/services/{name}", tags: ["Services"], security,
    summary: "Get one service", request: { params: Name },
    responses: { 200: { description: "The service", content: json(ServiceSchema) }, ...errors(401, 403, 404, 429) },
  });
  registry.registerPath({
    method: "patch", path: "/api/v1/services/{name}", tags: ["Services"], security,
    summary: "Change concurrency, replicas, pause, enable or rate limit live",
    description:
      "Stored in Postgres (re-applied after a restart), applied by every worker host within seconds, recorded as a " +
      "scaling event (reason `manual`) and audited (`service.scale`, `service.pause`, `service.resume`, `service.enable`, " +
      "`service.disable`, `service.rate_limit`). `rateLimitPerSecond: null` removes the limit.",
    request: { params: Name, body: { content: json(ServicePatchSchema) } },
    responses: { 200: { description: "The service after the change", content: json(ServiceSchema) }, ...errors(400, 401, 403, 404, 415, 429) },
  });
  registry.registerPath({
    method: "get", path: "/api/metrics", tags: ["Services"], security,
    summary: "Prometheus metrics (text format 0.0.4)",
    description: "Task outcomes, tool-call latency summaries over 5 minutes, queue depths, live instances and service health. Admin key.",
    responses: { 200: { description: "Prometheus text", content: { "text/plain": { schema: z.string() } } }, ...errors(401, 403) },
  });
}
