import type { OrchestratorContext } from "./context";
import { INSTANCE_STALE_MS, forgetStaleInstances } from "./registry";
import { callServiceTool, type ToolCallReplies } from "./tool-calls";

export const HEALTH_CHECK_EVERY_MS = 15_000;
/** Health history kept per service. */
export const HEALTH_HISTORY_MS = 24 * 3600_000;

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
 * Pings every enabled built-in service through the queue its work takes (a BullMQ job on
 * `svc.<service>`; the direct-call list while it is paused, since a paused queue is not
 * down), records a HealthCheck row with the latency, and updates Service.status when it
 * changes. Instances silent for long are forgotten.
 */
export async function runHealthChecks(
  ctx: OrchestratorContext,
  replies: ToolCallReplies,
  options: { timeoutMs?: number; degradedMs?: number; now?: () => Date } = {},
): Promise<HealthResult[]> {
  const now = options.now ?? (() => new Date());
  const timeoutMs = options.timeoutMs ?? 5_000;
  const degradedMs = options.degradedMs ?? 3_000;
  const services = await ctx.db.service.findMany({
    where: { enabled: true, kind: "builtin" },
    include: { instances: { where: { heartbeatAt: { gte: new Date(now().getTime() - INSTANCE_STALE_MS) } }, select: { id: true } } },
  });
  const results = await Promise.all(
    services.map(async (service): Promise<HealthResult> => {
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
  for (const result of results) {
    const previous = services.find((s) => s.name === result.service)?.status;
    await ctx.db.$transaction([
      ctx.db.healthCheck.create({ data: { serviceName: result.service, status: result.status, latencyMs: result.latencyMs, message: result.message, checkedAt: at } }),
      ...(previous !== result.status
        ? [ctx.db.service.update({ where: { name: result.service }, data: { status: result.status, statusChangedAt: at } })]
        : []),
    ]);
  }
  await forgetStaleInstances(ctx.db, at);
  await ctx.db.healthCheck.deleteMany({ where: { checkedAt: { lt: new Date(at.getTime() - HEALTH_HISTORY_MS) } } });
  return results;
}

export type HealthHistoryEntry = { status: string; latencyMs: number | null; message: string | null; checkedAt: string };

export async function healthHistory(ctx: Pick<OrchestratorContext, "db">, service: string, limit = 40): Promise<HealthHistoryEntry[]> {
  const rows = await ctx.db.healthCheck.findMany({ where: { serviceName: service }, orderBy: { checkedAt: "desc" }, take: Math.min(limit, 500) });
  return rows.map((r) => ({ status: r.status, latencyMs: r.latencyMs, message: r.message, checkedAt: r.checkedAt.toISOString() }));
}
