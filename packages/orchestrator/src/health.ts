import { Prisma } from "@docgate/db";
import type { OrchestratorContext } from "./context";
import { BREAKER_OPEN_MS, closeBreaker, openBreaker } from "./external/breaker";
import type { ExternalClients } from "./external/clients";
import { toCatalog } from "./external/register";
import { INSTANCE_STALE_MS, forgetStaleInstances } from "./registry";
import { callServiceTool, type ToolCallReplies } from "./tool-calls";

export const HEALTH_CHECK_EVERY_MS = 15_000;
/** Health history (and tool-call samples) kept. */
export const HEALTH_HISTORY_MS = 24 * 3600_000;
const PRUNE_EVERY_MS = 5 * 60_000;
let lastPrunedAt = 0;

export type HealthStatus = "up" | "degraded" | "down";
export type HealthResult = { service: string; status: HealthStatus; latencyMs: number | null; message: string | null };

type CatalogTool = { name?: unknown; inputSchema?: { required?: unknown; properties?: unknown } | null };

/** The cheapest tool to ping with: one that takes no arguments (e.g. list_profiles, list_taxonomies). */
export function pingTool(tools: unknown): string | null {
  if (!Array.isArray(tools)) return null;
  for (const tool of tools as CatalogTool[]) {
    if (typeof tool?.name !== "string") continue;
    const schema = tool.inputSchema ?? {};
    const required = Array.isArray(schema.required) ? schema.required : [];
    const properties = schema.properties && typeof schema.properties === "object" ? Object.keys(schema.properties) : [];
    if (required.length === 0 && properties.length === 0) return tool.name;
  }
  return null;
}

/**
 * Pings every enabled service and records a HealthCheck row with the latency, updating
 * Service.status when it changes. Built-ins are pinged through the queue their work takes (a
 * BullMQ job on `svc.<service>`; the direct-call list while paused, since a paused queue is
 * not down). External servers get an MCP ping over HTTP (with their token); a failed ping
 * opens their circuit breaker, and a good one after the open period closes it (and refreshes
 * the tools catalog). Instances silent for long are forgotten.
 */
export async function runHealthChecks(
  ctx: OrchestratorContext,
  replies: ToolCallReplies,
  options: { timeoutMs?: number; degradedMs?: number; now?: () => Date; external?: ExternalClients } = {},
): Promise<HealthResult[]> {
  const now = options.now ?? (() => new Date());
  const timeoutMs = options.timeoutMs ?? 5_000;
  const degradedMs = options.degradedMs ?? 3_000;
  const services = await ctx.db.service.findMany({
    where: { enabled: true, kind: options.external ? undefined : "builtin" },
    include: { instances: { where: { heartbeatAt: { gte: new Date(now().getTime() - INSTANCE_STALE_MS) } }, select: { id: true } } },
  });
  const results = await Promise.all(
    services.map(async (service): Promise<HealthResult> => {
      if (service.kind === "external") return checkExternal(ctx, options.external!, service, { timeoutMs, degradedMs });
      if (service.instances.length === 0) {
        return { service: service.name, status: "down", latencyMs: null, message: "No live worker instance (no heartbeat in the last 30 s)." };
      }
      const started = performance.now();
      try {
        const result = await callServiceTool(ctx, replies, {
          service: service.name,
          // Unknown to the server when the catalog has no argument-free tool: its error answer still proves the path works.
          tool: pingTool(service.tools) ?? "ping",
          arguments: {},
          timeoutMs,
          via: service.paused ? "list" : "bullmq",
        });
        const latencyMs = Math.round(performance.now() - started);
        if (latencyMs > degradedMs) return { service: service.name, status: "degraded", latencyMs, message: `Answered in ${latencyMs} ms (over ${degradedMs} ms).` };
        return { service: service.name, status: "up", latencyMs, message: result.isError ? "Answered with a tool error." : null };
      } catch (error) {
        return { service: service.name, status: "down", latencyMs: null, message: (error as Error).message.slice(0, 500) };
      }
    }),
  );
  const at = now();
  options.external?.retain(new Set(services.filter((s) => s.kind === "external").map((s) => s.name)));
  for (const result of results) {
    const previous = services.find((s) => s.name === result.service)?.status;
    try {
      await ctx.db.$transaction([
        ctx.db.healthCheck.create({ data: { serviceName: result.service, status: result.status, latencyMs: result.latencyMs, message: result.message, checkedAt: at } }),
        ...(previous !== result.status
          ? [ctx.db.service.update({ where: { name: result.service }, data: { status: result.status, statusChangedAt: at } })]
          : []),
      ]);
    } catch (error) {
      // Removed during the round: its rows are gone, the others' are still worth writing.
      if (!(error instanceof Prisma.PrismaClientKnownRequestError)) throw error;
    }
  }
  await forgetStaleInstances(ctx.db, at);
  const horizon = new Date(at.getTime() - HEALTH_HISTORY_MS);
  await ctx.db.healthCheck.deleteMany({ where: { checkedAt: { lt: horizon } } });
  // Per-call samples feed 5-minute windows: a day is plenty, and the table would grow forever.
  // Pruned every few minutes rather than every round: at full speed that is many rows.
  if (at.getTime() - lastPrunedAt > PRUNE_EVERY_MS) {
    lastPrunedAt = at.getTime();
    await ctx.db.toolCallMetric.deleteMany({ where: { at: { lt: horizon } } });
    await ctx.db.alert.deleteMany({ where: { resolvedAt: { lt: new Date(at.getTime() - 30 * HEALTH_HISTORY_MS) } } });
  }
  return results;
}

type ExternalRow = { name: string; url: string | null; token: string | null; timeoutMs: number; tools: unknown; breakerOpenUntil: Date | null };

async function checkExternal(
  ctx: OrchestratorContext,
  clients: ExternalClients,
  service: ExternalRow,
  limits: { timeoutMs: number; degradedMs: number },
): Promise<HealthResult> {
  if (!service.url) return { service: service.name, status: "down", latencyMs: null, message: "No URL registered." };
  const endpoint = { name: service.name, url: service.url, token: service.token, timeoutMs: limits.timeoutMs };
  const started = performance.now();
  try {
    await clients.use(endpoint, (c) => c.ping({ timeoutMs: limits.timeoutMs }));
    const latencyMs = Math.round(performance.now() - started);
    if (service.breakerOpenUntil && service.breakerOpenUntil <= new Date()) await closeBreaker(ctx.db, service.name);
    // The server may have gained or lost tools since it was registered.
    const tools = toCatalog(await clients.use(endpoint, (c) => c.listTools()));
    if (JSON.stringify(tools) !== JSON.stringify(service.tools)) await ctx.db.service.update({ where: { name: service.name }, data: { tools } });
    if (latencyMs > limits.degradedMs) return { service: service.name, status: "degraded", latencyMs, message: `Answered in ${latencyMs} ms (over ${limits.degradedMs} ms).` };
    return { service: service.name, status: "up", latencyMs, message: null };
  } catch (error) {
    if (!service.breakerOpenUntil || service.breakerOpenUntil <= new Date()) {
      await openBreaker(ctx.db, service.name, new Date(Date.now() + BREAKER_OPEN_MS));
    }
    return { service: service.name, status: "down", latencyMs: null, message: `MCP ping failed: ${(error as Error).message.slice(0, 400)}` };
  }
}

export type HealthHistoryEntry = { status: string; latencyMs: number | null; message: string | null; checkedAt: string };

export async function healthHistory(ctx: Pick<OrchestratorContext, "db">, service: string, limit = 40): Promise<HealthHistoryEntry[]> {
  const rows = await ctx.db.healthCheck.findMany({ where: { serviceName: service }, orderBy: { checkedAt: "desc" }, take: Math.min(limit, 500) });
  return rows.map((r) => ({ status: r.status, latencyMs: r.latencyMs, message: r.message, checkedAt: r.checkedAt.toISOString() }));
}
