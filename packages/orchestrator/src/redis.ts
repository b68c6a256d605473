import { Redis, type RedisOptions } from "ioredis";

/**
 * Connection for BullMQ workers and blocking reads: retries forever, as BullMQ requires.
 */
export function createWorkerRedis(url: string, options: RedisOptions = {}): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true, ...options });
}

/**
 * Connection for request paths (web): fails fast while Redis is down instead of queueing
 * commands, so a request can answer 503 or fall back to Postgres.
 */
export function createFastFailRedis(url: string, options: RedisOptions = {}): Redis {
  return new Redis(url, {
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    connectTimeout: 2_000,
    retryStrategy: (times) => Math.min(times * 200, 2_000),
    ...options,
  });
}
