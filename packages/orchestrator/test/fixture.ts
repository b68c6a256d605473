import { randomBytes } from "node:crypto";
import { afterAll, beforeAll } from "vitest";
import { Redis } from "ioredis";
import { createTestDatabase, type TestDatabase } from "@docgate/db/testing";
import { createOrchestratorContext, type OrchestratorContext } from "../src/context";

export type OrchestratorFixture = { database: TestDatabase; redis: Redis; ctx: OrchestratorContext; prefix: string };

/**
 * A test file's own database, Redis key prefix and orchestrator context, made before its tests
 * and removed after them (keys included). The fields are set once its beforeAll has run.
 */
export function useOrchestratorFixture(name: string): OrchestratorFixture {
  const fixture = { prefix: `dgtest-${name}-${randomBytes(4).toString("hex")}` } as OrchestratorFixture;
  beforeAll(async () => {
    fixture.database = await createTestDatabase();
    fixture.redis = new Redis(process.env.REDIS_URL || "redis://127.0.0.1:6379", { maxRetriesPerRequest: null });
    fixture.ctx = createOrchestratorContext({ db: fixture.database.db, redis: fixture.redis, prefix: fixture.prefix });
  });
  afterAll(async () => {
    await fixture.ctx?.close();
    const keys = await fixture.redis.keys(`${fixture.prefix}:*`);
    if (keys.length) await fixture.redis.del(...keys);
    fixture.redis.disconnect();
    await fixture.database?.drop();
  });
  return fixture;
}
