export const DEFAULT_REDIS_URL = "redis://127.0.0.1:6379";

export function redisUrl(): string {
  return process.env.REDIS_URL || DEFAULT_REDIS_URL;
}

/** Key prefix for queues, cache and events; tests set their own so runs never collide. */
export function redisPrefix(): string {
  return process.env.DOCGATE_REDIS_PREFIX || "docgate";
}
