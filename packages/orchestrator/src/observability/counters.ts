import type { Redis } from "ioredis";

/** Upper bounds (seconds) of the duration histograms' buckets. */
export const DURATION_BUCKETS_S = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

type Labels = Record<string, string>;
type PendingSeries = { labels: Labels; buckets: readonly number[]; counts: number[]; sum: number };
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
  // Observations per series and bucket, made cumulative only when flushed: an observation costs
  // one label serialisation, not one per bucket.
  private pendingHistograms = new Map<string, Map<string, PendingSeries>>();
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly redis: Redis, private readonly prefix: string, flushEveryMs = 1_000) {
    this.timer = setInterval(() => void this.flush(), flushEveryMs);
    this.timer.unref();
  }

  inc(family: string, labels: Labels, by = 1): void {
    this.add(this.pending, family, field(labels), by);
  }

  /** One observation into a cumulative histogram (`le` buckets, `_sum`, `_count`). */
  observe(family: string, labels: Labels, seconds: number, buckets = DURATION_BUCKETS_S): void {
    let series = this.pendingHistograms.get(family);
    if (!series) this.pendingHistograms.set(family, (series = new Map()));
    const key = field(labels);
    let pending = series.get(key);
    if (!pending) series.set(key, (pending = { labels, buckets, counts: new Array<number>(buckets.length + 1).fill(0), sum: 0 }));
    const bucket = buckets.findIndex((le) => seconds <= le);
    pending.counts[bucket === -1 ? buckets.length : bucket]! += 1;
    pending.sum += seconds;
  }

  private add(into: Map<string, Map<string, number>>, family: string, key: string, by: number) {
    let fields = into.get(family);
    if (!fields) into.set(family, (fields = new Map()));
    fields.set(key, (fields.get(key) ?? 0) + by);
  }

  async flush(): Promise<void> {
    if (!this.pending.size && !this.pendingHistograms.size) return;
    const batch = this.pending;
    this.pending = new Map();
    for (const [family, series] of this.pendingHistograms) {
      for (const [key, { labels, buckets, counts, sum }] of series) {
        let cumulative = 0;
        for (const [i, le] of [...buckets.map(String), "+Inf"].entries()) {
          cumulative += counts[i]!;
          if (cumulative > 0) this.add(batch, family, field({ ...labels, le }), cumulative);
        }
        this.add(batch, family, `${SUM}${key}`, sum);
        this.add(batch, family, `${COUNT}${key}`, cumulative);
      }
    }
    this.pendingHistograms = new Map();
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
