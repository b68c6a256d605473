// Deletes every Redis key under one Docgate prefix (BullMQ queues, cache, locks, counters), so
// test runs and benchmarks leave a shared Redis as they found it. Also the fault test's
// "Redis lost everything of this Docgate" (FLUSHALL limited to our namespace).
import { Redis } from "ioredis";

/** Deletes `${prefix}:*`; returns how many keys went. Accepts a URL or a connected client. */
export async function deleteRedisPrefix(redisOrUrl, prefix) {
  const redis = typeof redisOrUrl === "string" ? new Redis(redisOrUrl, { maxRetriesPerRequest: 1, lazyConnect: true }) : redisOrUrl;
  if (!prefix || /[*?[\]]/.test(prefix)) throw new Error(`Refusing to delete keys under the prefix ${JSON.stringify(prefix)}.`);
  let deleted = 0;
  try {
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 1000);
      cursor = next;
      if (keys.length) deleted += await redis.unlink(...keys);
    } while (cursor !== "0");
  } finally {
    if (typeof redisOrUrl === "string") redis.disconnect();
  }
  return deleted;
}
