import { createHash } from "node:crypto";
import { INSTANCE_STALE_MS } from "@docgate/orchestrator";
import type { Tool } from "@modelcontextprotocol/sdk/types.js";
import { serverContext } from "../context";
import type { Principal } from "../principal";

/** Separates a service from its tool in a gateway tool name: `classification.classify_document`. */
export const NAMESPACE_SEPARATOR = ".";

export type CatalogTool = {
  service: string;
  tool: string;
  /** The gateway name, `<service>.<tool>`. */
  name: string;
  definition: Tool;
};

export type CatalogService = { name: string; kind: string; tool: string | null; timeoutMs: number; live: boolean; tools: CatalogTool[] };
export type Catalog = { services: Map<string, CatalogService>; tools: Map<string, CatalogTool> };

/**
 * Enabled services and their tools (the `tools` catalog each worker registers from its MCP
 * server's tools/list). Cached per process for a moment: the registry changes rarely, and a
 * tools/call must not cost a database round trip. A new service or tool shows up within
 * CATALOG_TTL_MS on every web copy.
 */
export const CATALOG_TTL_MS = 2_000;

const holder = globalThis as unknown as { __docgateMcpCatalog?: { value: Promise<Catalog>; until: number } };

export function loadCatalog(now = Date.now()): Promise<Catalog> {
  const hit = holder.__docgateMcpCatalog;
  if (hit && hit.until > now) return hit.value;
  const value = readCatalog(now);
  holder.__docgateMcpCatalog = { value, until: now + CATALOG_TTL_MS };
  value.catch(() => {
    if (holder.__docgateMcpCatalog?.value === value) holder.__docgateMcpCatalog = undefined;
  });
  return value;
}

/** Drops the cached catalog (tests, and after an admin changes a service on this copy). */
export function invalidateCatalog(): void {
  holder.__docgateMcpCatalog = undefined;
}

async function readCatalog(now: number): Promise<Catalog> {
  const { db } = serverContext();
  const since = new Date(now - INSTANCE_STALE_MS);
  const rows = await db.service.findMany({
    where: { enabled: true },
    orderBy: { name: "asc" },
    select: { name: true, kind: true, tool: true, tools: true, timeoutMs: true, paused: true, _count: { select: { instances: { where: { heartbeatAt: { gte: since } } } } } },
  });
  const services = new Map<string, CatalogService>();
  const tools = new Map<string, CatalogTool>();
  for (const row of rows) {
    const entry: CatalogService = { name: row.name, kind: row.kind, tool: row.tool, timeoutMs: row.timeoutMs, live: row._count.instances > 0 && !row.paused, tools: [] };
    for (const raw of Array.isArray(row.tools) ? row.tools : []) {
      const definition = toToolDefinition(row.name, raw);
      if (!definition) continue;
      const tool = { service: row.name, tool: String((raw as { name: string }).name), name: definition.name, definition };
      entry.tools.push(tool);
      tools.set(tool.name, tool);
    }
    services.set(row.name, entry);
  }
  return { services, tools };
}

function toToolDefinition(service: string, raw: unknown): Tool | null {
  if (!raw || typeof raw !== "object") return null;
  const t = raw as Record<string, unknown>;
  if (typeof t.name !== "string" || !t.name) return null;
  const input = t.inputSchema && typeof t.inputSchema === "object" ? (t.inputSchema as Tool["inputSchema"]) : { type: "object" as const };
  const description = typeof t.description === "string" ? t.description : undefined;
  return {
    name: `${service}${NAMESPACE_SEPARATOR}${t.name}`,
    ...(typeof t.title === "string" ? { title: t.title } : {}),
    description: `[${service}] ${description ?? `The ${t.name} tool of the ${service} service.`}`,
    inputSchema: { ...input, type: "object" },
    ...(t.outputSchema && typeof t.outputSchema === "object" ? { outputSchema: { ...(t.outputSchema as object), type: "object" } as Tool["outputSchema"] } : {}),
    ...(t.annotations && typeof t.annotations === "object" ? { annotations: t.annotations as Tool["annotations"] } : {}),
    _meta: { "docgate/service": service, "docgate/tool": t.name },
  };
}

/** An API key limited to some services sees only those; an empty list (or a session) means all. */
export function mayUseService(principal: Principal, service: string): boolean {
  return principal.kind !== "api_key" || principal.services.length === 0 || principal.services.includes(service);
}

/** A fingerprint of what `principal` sees, to notice list changes. */
export function catalogFingerprint(catalog: Catalog, principal: Principal): string {
  const visible = [...catalog.tools.values()].filter((t) => mayUseService(principal, t.service)).map((t) => t.definition);
  return createHash("sha256").update(JSON.stringify(visible)).digest("hex");
}
