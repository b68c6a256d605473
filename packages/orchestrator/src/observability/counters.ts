import type { Redis } from "ioredis";

/** Upper bounds (seconds) of the duration histograms' buckets. */
export const DURATION_BUCKETS_S = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

type Labels = Record<string, string>;
const SUM = "__sum";
const COUNT = "__count";

const familyKey = (prefix: string, family: string) => `${prefix}:metrics:${family}`;
const field = (labels: Labels) => JSON.stringify(Object.fromEntries(Object.entries(labels).sort(([a], [b]) => a.localeCompare(b))));

/**
 * Counters and histograms shared by every process (web copies, worker processes), kept in
 * Redis hashes so a scrape of any web copy sees the whole platform, and monotonic across
 * process restarts (a Redis wipe is a counter reset, which Prometheus handles). Increments
 * are summed in memory and written once a second in one pipeline: a request or task costs
 * no Redis round trip of its own.
 */
export class MetricCounters {
  private pending = new Map<string, Map<string, number>>();
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly redis: Redis, private readonly prefix: string, flushEveryMs = 1_000) {
    this.timer = setInterval(() => void this.flush(), flushEveryMs);
    this.timer.unref();
  }

  inc(family: string, labels: Labels, by = 1): void {
    this.add(family, field(labels), by);
  }

  /** One observation into a cumulative histogram (`le` buckets, `_sum`, `_count`). */
  observe(family: string, labels: Labels, seconds: number, buckets = DURATION_BUCKETS_S): void {
    for (const le of buckets) if (seconds <= le) this.add(family, field({ ...labels, le: String(le) }), 1);
    this.add(family, field({ ...labels, le: "+Inf" }), 1);
    this.add(family, `${SUM}${field(labels)}`, seconds);
    this.add(family, `${COUNT}${field(labels)}`, 1);
  }

  private add(family: string, key: string, by: number) {
    let fields = this.pending.get(family);
    if (!fields) this.pending.set(family, (fields = new Map()));
    fields.set(key, (fields.get(key) ?? 0) + by);
  }

  async flush(): Promise<void> {
    if (!this.pending.size) return;
    const batch = this.pending;
    this.pending = new Map();
    const pipeline = this.redis.pipeline();
    for (const [family, fields] of batch) {
      for (const [key, by] of fields) {
        // A `_sum` field holds a float even when this second's share happens to be whole.
        if (Number.isInteger(by) && !key.startsWith(SUM)) pipeline.hincrby(familyKey(this.prefix, family), key, by);
        else pipeline.hincrbyfloat(familyKey(this.prefix, family), key, by);
      }
    }
    // Metrics are best effort: with Redis away, this second's counts are dropped, not queued forever.
    await pipeline.exec().catch(() => undefined);
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }
}

export type CounterSample = { labels: Labels; value: number; suffix?: "_bucket" | "_sum" | "_count" };

/** Reads one family back as Prometheus samples (histogram buckets carry the `_bucket` suffix). */
export async function readCounterFamily(redis: Redis, prefix: string, family: string, histogram = false): Promise<CounterSample[]> {
  const hash = await redis.hgetall(familyKey(prefix, family));
  const samples: CounterSample[] = [];
  for (const [key, raw] of Object.entries(hash)) {
    const value = Number(raw);
    if (key.startsWith(SUM)) samples.push({ labels: JSON.parse(key.slice(SUM.length)) as Labels, value, suffix: "_sum" });
    else if (key.startsWith(COUNT)) samples.push({ labels: JSON.parse(key.slice(COUNT.length)) as Labels, value, suffix: "_count" });
    else samples.push({ labels: JSON.parse(key) as Labels, value, ...(histogram && { suffix: "_bucket" as const }) });
  }
  // Grouped by series; buckets in increasing `le` (+Inf last), then _sum and _count.
  const series = ({ le: _le, ...rest }: Labels) => JSON.stringify(rest);
  const rank = (s: CounterSample) => (s.suffix === "_sum" ? 1 : s.suffix === "_count" ? 2 : 0);
  const le = (s: CounterSample) => (s.labels.le === "+Inf" ? Infinity : Number(s.labels.le ?? 0));
  return samples.sort((a, b) => series(a.labels).localeCompare(series(b.labels)) || rank(a) - rank(b) || le(a) - le(b));
}
