import type { OrchestratorContext } from "./context";
import { serviceQueueName } from "./queues";
import { listServices } from "./registry";

export type Overview = {
  hours: { hour: string; processed: number; succeeded: number; failed: number }[];
  last24h: { processed: number; successRate: number | null; p50Ms: number | null; p95Ms: number | null };
  queues: { service: string; waiting: number; active: number; delayed: number; failed: number }[];
  unhealthy: string[];
};

/** The console's at-a-glance numbers, computed in SQL over Postgres plus BullMQ counts. */
export async function overview(ctx: OrchestratorContext, now = new Date()): Promise<Overview> {
  const since = new Date(now.getTime() - 24 * 3600_000);
  const hourly = await ctx.db.$queryRaw<{ hour: Date; processed: bigint; succeeded: bigint; failed: bigint }[]>`
    SELECT date_trunc('hour', "finishedAt") AS hour,
           count(*) AS processed,
           count(*) FILTER (WHERE status = 'succeeded') AS succeeded,
           count(*) FILTER (WHERE status IN ('failed', 'partial')) AS failed
    FROM "Job" WHERE "finishedAt" >= ${since} GROUP BY 1 ORDER BY 1`;
  const [summary] = await ctx.db.$queryRaw<{ processed: bigint; succeeded: bigint; p50: number | null; p95: number | null }[]>`
    SELECT count(*) AS processed,
           count(*) FILTER (WHERE status = 'succeeded') AS succeeded,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM "finishedAt" - "createdAt") * 1000) AS p50,
           percentile_cont(0.95) WITHIN GROUP (ORDER BY extract(epoch FROM "finishedAt" - "createdAt") * 1000) AS p95
    FROM "Job" WHERE "finishedAt" >= ${since} AND status <> 'cancelled'`;

  const byHour = new Map(hourly.map((h) => [h.hour.toISOString(), h]));
  const hours: Overview["hours"] = [];
  const start = new Date(now);
  start.setUTCMinutes(0, 0, 0);
  for (let i = 23; i >= 0; i--) {
    const hour = new Date(start.getTime() - i * 3600_000).toISOString();
    const row = byHour.get(hour);
    hours.push({ hour, processed: Number(row?.processed ?? 0), succeeded: Number(row?.succeeded ?? 0), failed: Number(row?.failed ?? 0) });
  }

  const services = await listServices(ctx.db, now);
  const queues = await Promise.all(
    services.map(async (s) => {
      try {
        const counts = await ctx.queue(serviceQueueName(s.name)).getJobCounts("waiting", "active", "delayed", "failed", "prioritized");
        return { service: s.name, waiting: (counts.waiting ?? 0) + (counts.prioritized ?? 0), active: counts.active ?? 0, delayed: counts.delayed ?? 0, failed: counts.failed ?? 0 };
      } catch {
        return { service: s.name, waiting: -1, active: -1, delayed: -1, failed: -1 }; // Redis unavailable
      }
    }),
  );
  const processed = Number(summary?.processed ?? 0);
  return {
    hours,
    last24h: {
      processed,
      successRate: processed ? Number(summary!.succeeded) / processed : null,
      p50Ms: summary?.p50 == null ? null : Math.round(summary.p50),
      p95Ms: summary?.p95 == null ? null : Math.round(summary.p95),
    },
    queues,
    unhealthy: services.filter((s) => s.enabled && s.status !== "up").map((s) => s.name),
  };
}
