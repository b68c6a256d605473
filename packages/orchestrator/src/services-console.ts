import type { OrchestratorContext } from "./context";
import { serviceQueueName } from "./queues";
import { listServices, type ServiceSummary } from "./registry";
import { METRICS_WINDOW_MS } from "./metrics";

export type ServiceLoad = ServiceSummary & {
  /** null while Redis is unavailable. */
  queue: { waiting: number; active: number; delayed: number; failed: number; oldestWaitingMs: number | null } | null;
  /** Over the last 5 minutes, queued work only (ToolCallMetric source "task"). */
  window: { tasks: number; perMinute: number; errorRate: number | null; p50Ms: number | null; p95Ms: number | null };
  lastCheck: { status: string; latencyMs: number | null; message: string | null; checkedAt: string } | null;
};

/** The scaling console's view: registry, queue depth and age, throughput, latency, errors, last health check. */
export async function serviceLoads(ctx: OrchestratorContext, now = new Date()): Promise<ServiceLoad[]> {
  const services = await listServices(ctx.db, now);
  const since = new Date(now.getTime() - METRICS_WINDOW_MS);
  const stats = await ctx.db.$queryRaw<{ service: string; n: bigint; errors: bigint; p50: number | null; p95: number | null }[]>`
    SELECT service, count(*) AS n, count(*) FILTER (WHERE NOT ok) AS errors,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY "durationMs") AS p50,
           percentile_cont(0.95) WITHIN GROUP (ORDER BY "durationMs") AS p95
    FROM "ToolCallMetric" WHERE at >= ${since} AND source = 'task' GROUP BY 1`;
  const checks = await ctx.db.$queryRaw<{ serviceName: string; status: string; latencyMs: number | null; message: string | null; checkedAt: Date }[]>`
    SELECT DISTINCT ON ("serviceName") "serviceName", status, "latencyMs", message, "checkedAt"
    FROM "HealthCheck" ORDER BY "serviceName", "checkedAt" DESC`;
  return Promise.all(
    services.map(async (s): Promise<ServiceLoad> => {
      const row = stats.find((x) => x.service === s.name);
      const tasks = Number(row?.n ?? 0);
      const check = checks.find((c) => c.serviceName === s.name);
      return {
        ...s,
        queue: await queueLoad(ctx, s.name, now),
        window: {
          tasks,
          perMinute: Math.round((tasks / (METRICS_WINDOW_MS / 60_000)) * 10) / 10,
          errorRate: tasks ? Number(row!.errors) / tasks : null,
          p50Ms: row?.p50 == null ? null : Math.round(row.p50),
          p95Ms: row?.p95 == null ? null : Math.round(row.p95),
        },
        lastCheck: check ? { status: check.status, latencyMs: check.latencyMs, message: check.message, checkedAt: check.checkedAt.toISOString() } : null,
      };
    }),
  );
}

async function queueLoad(ctx: OrchestratorContext, service: string, now: Date): Promise<ServiceLoad["queue"]> {
  try {
    const queue = ctx.queue(serviceQueueName(service));
    const counts = await queue.getJobCounts("waiting", "prioritized", "active", "delayed", "failed");
    const [oldest] = await queue.getJobs(["waiting", "prioritized"], 0, 0, true);
    return {
      waiting: (counts.waiting ?? 0) + (counts.prioritized ?? 0),
      active: counts.active ?? 0,
      delayed: counts.delayed ?? 0,
      failed: counts.failed ?? 0,
      oldestWaitingMs: oldest?.timestamp ? Math.max(0, now.getTime() - oldest.timestamp) : null,
    };
  } catch {
    return null;
  }
}
