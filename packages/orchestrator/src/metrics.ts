import type { OrchestratorContext } from "./context";
import { readCounterFamily, type CounterSample } from "./observability/counters";
import { serviceQueueName } from "./queues";
import { listServices } from "./registry";

/** Latency summaries cover this window. */
export const METRICS_WINDOW_MS = 5 * 60_000;

type Labels = Record<string, string>;
/** `suffix` names a summary's `_sum` / `_count` series. */
type Sample = { labels: Labels; value: number; suffix?: "_sum" | "_count" | "_bucket" };
type Family = { name: string; help: string; type: "gauge" | "counter" | "summary" | "histogram"; samples: Sample[] };

const escape = (value: string) => value.replaceAll("\\", "\\\\").replaceAll("\n", "\\n").replaceAll('"', '\\"');

/** Prometheus text exposition format 0.0.4. */
export function formatPrometheus(families: Family[]): string {
  const lines: string[] = [];
  for (const family of families) {
    lines.push(`# HELP ${family.name} ${family.help}`, `# TYPE ${family.name} ${family.type}`);
    for (const sample of family.samples) {
      const labels = Object.entries(sample.labels).map(([k, v]) => `${k}="${escape(v)}"`).join(",");
      const name = family.name + (sample.suffix ?? "");
      lines.push(`${name}${labels ? `{${labels}}` : ""} ${Number.isFinite(sample.value) ? sample.value : "NaN"}`);
    }
  }
  return `${lines.join("\n")}\n`;
}

/** The families every process adds to in Redis (observability/counters.ts): name, help, histogram or counter. */
const SHARED_FAMILIES = [
  ["http_requests", "docgate_http_requests_total", "API requests by method, route and status (every web copy).", "counter"],
  ["http_request_duration_seconds", "docgate_http_request_duration_seconds", "API request duration until the response starts, by method and route.", "histogram"],
  ["rate_limit_refusals", "docgate_rate_limit_refusals_total", "Requests refused with 429 (rate limit, concurrent jobs, daily quota), by route.", "counter"],
  ["task_duration_seconds", "docgate_task_duration_seconds", "Task duration in the worker (cache lookup, tool call, result write), by service and outcome.", "histogram"],
] as const;

async function sharedFamilies(ctx: OrchestratorContext): Promise<Family[]> {
  return Promise.all(
    SHARED_FAMILIES.map(async ([family, name, help, type]): Promise<Family> => {
      let samples: CounterSample[] = [];
      try {
        samples = await readCounterFamily(ctx.redis, ctx.prefix, family, type === "histogram");
      } catch {
        // Redis unavailable: the family is empty rather than wrong
      }
      return { name, help, type, samples };
    }),
  );
}

/**
 * Docgate's metrics for Prometheus, computed on scrape from Postgres (task outcomes, tool-call
 * latency over the last 5 minutes, health, instances, firing alerts), BullMQ (queue depths)
 * and the counters every process keeps in Redis (HTTP requests, rate-limit refusals, task
 * duration histograms).
 */
export async function collectMetrics(ctx: OrchestratorContext, now = new Date()): Promise<string> {
  const services = await listServices(ctx.db, now);
  const since = new Date(now.getTime() - METRICS_WINDOW_MS);

  const tasks = await ctx.db.$queryRaw<{ service: string; status: string; cached: boolean; n: bigint }[]>`
    SELECT service, status::text AS status, cached, count(*) AS n FROM "JobTask" GROUP BY 1, 2, 3`;
  const latency = await ctx.db.$queryRaw<
    { service: string; source: string; n: bigint; errors: bigint; sum: number | null; p50: number | null; p95: number | null; p99: number | null }[]
  >`
    SELECT service, source, count(*) AS n, count(*) FILTER (WHERE NOT ok) AS errors, sum("durationMs")::float8 AS sum,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY "durationMs") AS p50,
           percentile_cont(0.95) WITHIN GROUP (ORDER BY "durationMs") AS p95,
           percentile_cont(0.99) WITHIN GROUP (ORDER BY "durationMs") AS p99
    FROM "ToolCallMetric" WHERE at >= ${since} GROUP BY 1, 2`;
  const queues = await Promise.all(
    services.map(async (s) => {
      try {
        const counts = await ctx.queue(serviceQueueName(s.name)).getJobCounts("waiting", "prioritized", "active", "delayed", "failed");
        return { service: s.name, counts: { waiting: (counts.waiting ?? 0) + (counts.prioritized ?? 0), active: counts.active ?? 0, delayed: counts.delayed ?? 0, failed: counts.failed ?? 0 } };
      } catch {
        return null; // Redis unavailable: the series are absent rather than wrong
      }
    }),
  );

  const firing = await ctx.db.alert.groupBy({ by: ["rule", "serviceName"], where: { resolvedAt: null }, _count: true });
  const families: Family[] = [
    ...(await sharedFamilies(ctx)),
    {
      name: "docgate_alerts_firing", type: "gauge", help: "Alert rules firing now, by rule and service.",
      samples: firing.map((a) => ({ labels: { rule: a.rule, service: a.serviceName }, value: a._count })),
    },
    {
      name: "docgate_service_status", type: "gauge", help: "1 for the service's current health status (up, degraded, down).",
      samples: services.flatMap((s) => (["up", "degraded", "down"] as const).map((status) => ({ labels: { service: s.name, status }, value: s.status === status ? 1 : 0 }))),
    },
    {
      name: "docgate_service_enabled", type: "gauge", help: "1 when the service is enabled and not paused.",
      samples: services.map((s) => ({ labels: { service: s.name }, value: s.enabled && !s.paused ? 1 : 0 })),
    },
    {
      name: "docgate_service_instances", type: "gauge", help: "Live worker instances (heartbeat within 30 s).",
      samples: services.map((s) => ({ labels: { service: s.name }, value: s.instances.length })),
    },
    {
      name: "docgate_service_concurrency", type: "gauge", help: "Configured tasks at once per worker instance.",
      samples: services.map((s) => ({ labels: { service: s.name }, value: s.concurrency })),
    },
    {
      name: "docgate_service_replicas_desired", type: "gauge", help: "Desired worker processes per host.",
      samples: services.map((s) => ({ labels: { service: s.name }, value: s.replicas })),
    },
    {
      name: "docgate_queue_jobs", type: "gauge", help: "BullMQ jobs in the service queue by state.",
      samples: queues.flatMap((q) => (q ? Object.entries(q.counts).map(([state, value]) => ({ labels: { service: q.service, state }, value })) : [])),
    },
    {
      // A gauge: queued and running counts go down, and old jobs may be deleted.
      name: "docgate_tasks", type: "gauge", help: "Job tasks in Postgres by service and status.",
      samples: aggregate(tasks, (t) => `${t.service}\u0000${t.status}`).map(([key, n]) => {
        const [service = "", status = ""] = key.split("\u0000");
        return { labels: { service, status }, value: n };
      }),
    },
    {
      name: "docgate_task_cache_hits", type: "gauge", help: "Job tasks in Postgres that were answered from the result cache.",
      samples: aggregate(tasks.filter((t) => t.cached), (t) => t.service).map(([service, n]) => ({ labels: { service }, value: n })),
    },
    {
      name: "docgate_tool_call_duration_ms", type: "summary",
      help: "Tool call duration in ms over the last 5 minutes (source task: queued work; call: direct MCP calls).",
      samples: latency.flatMap((l) => {
        const labels = { service: l.service, source: l.source };
        return [
          ...([["0.5", l.p50], ["0.95", l.p95], ["0.99", l.p99]] as const).map(([quantile, v]) => ({ labels: { ...labels, quantile }, value: Math.round(v ?? 0) })),
          { labels, suffix: "_sum" as const, value: Math.round(l.sum ?? 0) },
          { labels, suffix: "_count" as const, value: Number(l.n) },
        ];
      }),
    },
    {
      name: "docgate_tool_call_errors", type: "gauge", help: "Failed tool calls over the last 5 minutes.",
      samples: latency.map((l) => ({ labels: { service: l.service, source: l.source }, value: Number(l.errors) })),
    },
  ];
  return formatPrometheus(families);
}

function aggregate<T extends { n: bigint }>(rows: T[], key: (row: T) => string): [string, number][] {
  const sums = new Map<string, number>();
  for (const row of rows) sums.set(key(row), (sums.get(key(row)) ?? 0) + Number(row.n));
  return [...sums.entries()];
}
