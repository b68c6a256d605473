// Metric counters as a scrape reads them back from Redis: counters summed, histograms cumulative
// per `le` bucket with `_sum` and `_count`, across flushes and processes. Real Redis.
import { randomBytes } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { Redis } from "ioredis";
import { MetricCounters, readCounterFamily } from "../src/observability/counters";

const redis = new Redis(process.env.REDIS_URL || "redis://127.0.0.1:6379", { maxRetriesPerRequest: null });
const prefix = `dgtest-counters-${randomBytes(4).toString("hex")}`;

afterAll(async () => {
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
});

describe("MetricCounters", () => {
  it("keeps histograms cumulative per bucket, summed over flushes and over processes", async () => {
    const one = new MetricCounters(redis, prefix, 60_000);
    const other = new MetricCounters(redis, prefix, 60_000);
    const buckets = [0.01, 0.1, 1];
    for (const seconds of [0.005, 0.05, 0.05, 3]) one.observe("took", { service: "a" }, seconds, buckets);
    one.observe("took", { service: "b" }, 0.5, buckets);
    one.inc("done", { service: "a" }, 2);
    await one.flush();
    other.observe("took", { service: "a" }, 0.01, buckets);
    other.inc("done", { service: "a" });
    await other.flush();
    await Promise.all([one.close(), other.close()]);

    const samples = await readCounterFamily(redis, prefix, "took", true);
    const a = samples.filter((s) => s.labels.service === "a").map((s) => [s.suffix, s.labels.le ?? null, s.value]);
    expect(a).toEqual([
      ["_bucket", "0.01", 2],
      ["_bucket", "0.1", 4],
      ["_bucket", "1", 4],
      ["_bucket", "+Inf", 5],
      ["_sum", null, expect.closeTo(3.115, 9)],
      ["_count", null, 5],
    ]);
    // A series only gets the buckets its observations reached.
    const b = samples.filter((s) => s.labels.service === "b").map((s) => [s.suffix, s.labels.le ?? null, s.value]);
    expect(b).toEqual([["_bucket", "1", 1], ["_bucket", "+Inf", 1], ["_sum", null, 0.5], ["_count", null, 1]]);
    expect(await readCounterFamily(redis, prefix, "done")).toEqual([{ labels: { service: "a" }, value: 3 }]);
  });
});
