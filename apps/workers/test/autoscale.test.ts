// The autoscaling policy: the pure decision, and the autoscaler against a real queue and
// database (each decision a ScalingEvent with its reason, audited as the system).
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seed } from "@docgate/db";
import { createTestDatabase, type TestDatabase } from "@docgate/db/testing";
import {
  AutoscalePolicySchema, createOrchestratorContext, createWorkerRedis, decideScaling, runAutoscaler, serviceQueueName,
  type OrchestratorContext,
} from "@docgate/orchestrator";

const policy = AutoscalePolicySchema.parse({ minReplicas: 1, maxReplicas: 3, minConcurrency: 2, maxConcurrency: 8, targetWaitMs: 1_000, cooldownMs: 0 });

describe("decideScaling", () => {
  it("raises concurrency, then replicas, while tasks wait too long; stops at the ceiling", () => {
    const waiting = { waiting: 10, active: 4, oldestWaitingMs: 5_000, liveInstances: 1 };
    expect(decideScaling(policy, { concurrency: 4, replicas: 1 }, waiting)?.patch).toEqual({ concurrency: 6 });
    expect(decideScaling(policy, { concurrency: 8, replicas: 1 }, waiting)?.patch).toEqual({ replicas: 2 });
    expect(decideScaling(policy, { concurrency: 8, replicas: 3 }, waiting)).toBeNull();
    expect(decideScaling(policy, { concurrency: 4, replicas: 1 }, waiting)?.reason).toMatch(/oldest waiting task 5 s > target 1 s/);
  });

  it("lowers replicas, then concurrency, when idle; holds when busy but not waiting", () => {
    const idle = { waiting: 0, active: 0, oldestWaitingMs: null, liveInstances: 2 };
    expect(decideScaling(policy, { concurrency: 8, replicas: 2 }, idle)?.patch).toEqual({ replicas: 1 });
    expect(decideScaling(policy, { concurrency: 8, replicas: 1 }, idle)?.patch).toEqual({ concurrency: 5 });
    expect(decideScaling(policy, { concurrency: 2, replicas: 1 }, idle)).toBeNull();
    expect(decideScaling(policy, { concurrency: 4, replicas: 1 }, { waiting: 0, active: 3, oldestWaitingMs: null, liveInstances: 1 })).toBeNull();
  });
});

describe("runAutoscaler", () => {
  let database: TestDatabase;
  let ctx: OrchestratorContext;
  const prefix = `dgtest-${randomBytes(4).toString("hex")}`;
  const redis = createWorkerRedis(process.env.REDIS_URL || "redis://127.0.0.1:6379");

  beforeAll(async () => {
    database = await createTestDatabase();
    await seed(database.db, { adminEmail: "admin@test.local", adminPassword: "correct horse battery" });
    ctx = createOrchestratorContext({ db: database.db, redis, prefix });
  });

  afterAll(async () => {
    await ctx?.queue(serviceQueueName("quality")).obliterate({ force: true }).catch(() => {});
    await ctx?.close();
    redis.disconnect();
    await database?.db.$disconnect();
    await database?.drop();
  });

  it("scales a service with a policy up on a long wait and down when idle, each decision a scaling event", async () => {
    const { db } = database;
    await db.service.update({ where: { name: "quality" }, data: { autoscale: policy, concurrency: 4, replicasDesired: 1 } });
    // Nobody consumes this queue: a task that has waited 10 s.
    await ctx.queue(serviceQueueName("quality")).add("document.process", { probe: true }, { timestamp: Date.now() - 10_000 });

    const up = await runAutoscaler(ctx);
    expect(up).toEqual([{ service: "quality", reason: expect.stringMatching(/^autoscale up: oldest waiting task \d+(\.\d)? s > target 1 s/) }]);
    expect((await db.service.findUniqueOrThrow({ where: { name: "quality" } })).concurrency).toBe(6);
    // classification has no policy: untouched.
    expect(await db.scalingEvent.count({ where: { serviceName: "classification" } })).toBe(0);

    await ctx.queue(serviceQueueName("quality")).obliterate({ force: true });
    const down = await runAutoscaler(ctx);
    expect(down[0]?.reason).toMatch(/^autoscale down: queue empty/);
    expect((await db.service.findUniqueOrThrow({ where: { name: "quality" } })).concurrency).toBe(4);

    const events = await db.scalingEvent.findMany({ where: { serviceName: "quality" }, orderBy: { at: "asc" } });
    expect(events.map((e) => e.reason)).toEqual([up[0]!.reason, down[0]!.reason]);
    const audit = await db.auditLog.findMany({ where: { target: "quality", action: "service.scale" } });
    expect(audit).toHaveLength(2);
    expect(audit.every((a) => a.actorType === "system" && a.actorId === "autoscaler")).toBe(true);

    // A cooldown holds the next decision back.
    await db.service.update({ where: { name: "quality" }, data: { autoscale: { ...policy, cooldownMs: 60_000 } } });
    expect(await runAutoscaler(ctx)).toEqual([]);
  });
});
