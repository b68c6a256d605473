import type { Redis } from "ioredis";
export function deleteRedisPrefix(redisOrUrl: Redis | string, prefix: string): Promise<number>;
