import type { Db } from "@docgate/db";

type Sample = { service: string; tool: string; durationMs: number; ok: boolean; source: string; at: Date };

/**
 * ToolCallMetric rows, batched: a task only pushes to an array; one insert per second writes
 * them all (and a failed insert drops the batch rather than slowing the work down).
 */
export function createMetricsBuffer(db: Db, options: { flushEveryMs?: number; max?: number; log?: (line: string) => void } = {}) {
  let samples: Sample[] = [];
  const max = options.max ?? 10_000;
  async function flush() {
    if (!samples.length) return;
    const batch = samples;
    samples = [];
    try {
      await db.toolCallMetric.createMany({ data: batch });
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
