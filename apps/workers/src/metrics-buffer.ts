import { fastSql, sql, type Db } from "@docgate/db";

type Sample = { service: string; tool: string; durationMs: number; ok: boolean; source: string; at: Date };

/**
 * ToolCallMetric rows, batched: a task only pushes to an array; one insert per second writes
 * them all (and a failed insert drops the batch rather than slowing the work down). The insert
 * is one statement over arrays: Prisma's createMany of a second's rows cost the workers ~5 % of
 * their CPU under load.
 */
export function createMetricsBuffer(db: Db, options: { flushEveryMs?: number; max?: number; log?: (line: string) => void } = {}) {
  let samples: Sample[] = [];
  const max = options.max ?? 10_000;
  async function flush() {
    if (!samples.length) return;
    const batch = samples;
    samples = [];
    try {
      await fastSql(db).query(sql`
        INSERT INTO "ToolCallMetric" ("service", "tool", "durationMs", "ok", "source", "at")
        SELECT service, tool, duration_ms, ok, source, stamp AT TIME ZONE 'UTC' FROM unnest(${batch.map((b) => b.service)}::text[], ${batch.map((b) => b.tool)}::text[],
          ${batch.map((b) => b.durationMs)}::int[], ${batch.map((b) => b.ok)}::boolean[], ${batch.map((b) => b.source)}::text[],
          ${batch.map((b) => b.at.toISOString())}::timestamptz[]) AS m(service, tool, duration_ms, ok, source, stamp)`);
    } catch (error) {
      options.log?.(`[metrics] dropped ${batch.length} sample(s): ${(error as Error).message}`);
    }
  }
  const timer = setInterval(() => void flush(), options.flushEveryMs ?? 1_000);
  timer.unref();
  return {
    record(sample: Omit<Sample, "at">) {
      if (samples.length < max) samples.push({ ...sample, at: new Date() });
    },
    async close() {
      clearInterval(timer);
      await flush();
    },
  };
}
