import { randomBytes } from "node:crypto";
import { afterAll, beforeAll } from "vitest";
import { createTestDatabase, type TestDatabase } from "@docgate/db/testing";
import { createWorkerRedis } from "@docgate/orchestrator";

export type WorkerFixture = { database: TestDatabase; redis: ReturnType<typeof createWorkerRedis>; prefix: string };

/**
 * A test file's own database (set once its beforeAll has run) and Redis key prefix, with a
 * worker's Redis connection; the database and every key under the prefix go after its tests.
 */
export function useWorkerFixture(): WorkerFixture {
  const fixture = {
    redis: createWorkerRedis(process.env.REDIS_URL || "redis://127.0.0.1:6379"),
    prefix: `dgtest-${randomBytes(4).toString("hex")}`,
  } as WorkerFixture;
  beforeAll(async () => {
    fixture.database = await createTestDatabase();
  });
  afterAll(async () => {
    const keys = await fixture.redis.keys(`${fixture.prefix}:*`);
    if (keys.length) await fixture.redis.del(...keys);
    fixture.redis.disconnect();
    await fixture.database?.drop();
  });
  return fixture;
}
