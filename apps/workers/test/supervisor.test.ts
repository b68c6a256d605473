// The supervisor for real: worker processes forked per service, kept at the desired replicas
// when an admin changes them (Redis message), a killed one replaced, and a disabled service's
// kept until it has finished what it accepted.
import { createHash, randomBytes } from "node:crypto";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { seed } from "@docgate/db";
import { createTestDatabase, eventually as waitFor, type TestDatabase } from "@docgate/db/testing";
import {
  createOrchestratorContext, createWorkerRedis, HEARTBEAT_INTERVAL_MS, INSTANCE_STALE_MS, enqueueJob, listServices, updateServiceSettings,
} from "@docgate/orchestrator";
import { ensureDefaultModels } from "../src/models";
import { startReplicaController } from "../src/replicas";
import { Supervisor } from "../src/supervisor";

const REDIS_URL = process.env.REDIS_URL || "redis://127.0.0.1:6379";
let database: TestDatabase;
let supervisor: Supervisor;
let controller: Awaited<ReturnType<typeof startReplicaController>>;
const prefix = `dgtest-${randomBytes(4).toString("hex")}`;
const redis = createWorkerRedis(REDIS_URL);

// Forked processes start slowly on a busy machine: the default wait here is longer.
const eventually = <T>(check: () => Promise<T | undefined | null | false>, timeoutMs = 45_000) => waitFor(check, timeoutMs);

const livePids = async () => {
  const rows = await database.db.serviceInstance.findMany({
    where: { serviceName: "quality", heartbeatAt: { gte: new Date(Date.now() - INSTANCE_STALE_MS) } },
  });
  return rows.map((r) => r.pid).sort();
};

beforeAll(async () => {
  database = await createTestDatabase();
  await seed(database.db, { adminEmail: "admin@test.local", adminPassword: "correct horse battery" });
  await ensureDefaultModels(database.db, process.env.DOCGATE_CACHE_DIR ?? path.join(os.tmpdir(), "docgate-test-cache"));
  // The forked worker processes read these.
  process.env.DATABASE_URL = database.url;
  process.env.DOCGATE_REDIS_PREFIX = prefix;
  process.env.REDIS_URL = REDIS_URL;
  supervisor = new Supervisor(() => {});
  controller = await startReplicaController({ db: database.db, redisUrl: REDIS_URL, prefix, supervisor, services: ["quality"] });
});

afterAll(async () => {
  await controller?.close();
  await supervisor?.stop(5_000);
  redis.disconnect();
  await database?.db.$disconnect();
  await database?.drop();
});

it("scales worker processes to the desired replicas live and replaces one that is killed", async () => {
  expect(supervisor.count("quality")).toBe(1);
  await eventually(async () => (await livePids()).length === 1);

  await updateServiceSettings({ db: database.db, redis, prefix }, { name: "quality", patch: { replicas: 2 } }, { actor: { type: "system" } });
  await eventually(async () => supervisor.count("quality") === 2, 10_000);
  const two = await eventually(async () => {
    const pids = await livePids();
    return pids.length === 2 && pids;
  });

  // Kill one: the supervisor starts a replacement, which registers a new instance.
  const victim = two[0]!;
  process.kill(victim, "SIGKILL");
  await eventually(async () => {
    const pids = supervisor.pids("quality");
    return pids.length === 2 && !pids.includes(victim);
  });
  await eventually(async () => {
    const rows = await database.db.serviceInstance.findMany({ where: { serviceName: "quality" } });
    return rows.filter((r) => r.pid !== victim).length === 2;
  });
  // The killed instance's heartbeat stops while the others keep beating, so it turns stale:
  // once INSTANCE_STALE_MS has passed since its last beat it is no longer listed as live.
  const lastBeat = (await database.db.serviceInstance.findFirstOrThrow({ where: { pid: victim } })).heartbeatAt;
  const survivorBeatAfter = async (after: Date) =>
    (await database.db.serviceInstance.findMany({ where: { serviceName: "quality", pid: { not: victim }, heartbeatAt: { gt: after } } })).length === 2;
  await eventually(() => survivorBeatAfter(new Date(lastBeat.getTime() + HEARTBEAT_INTERVAL_MS)), 30_000);
  expect((await database.db.serviceInstance.findFirstOrThrow({ where: { pid: victim } })).heartbeatAt).toEqual(lastBeat);
  const later = new Date(lastBeat.getTime() + INSTANCE_STALE_MS + 1);
  const listed = (await listServices(database.db, later)).find((x) => x.name === "quality")!;
  expect(listed.instances.map((i) => i.pid)).not.toContain(victim);

  // Scale back down: the retired process finishes, deregisters, and is not restarted.
  await updateServiceSettings({ db: database.db, redis, prefix }, { name: "quality", patch: { replicas: 1 } }, { actor: { type: "system" } });
  await eventually(async () => supervisor.count("quality") === 1, 10_000);
  await eventually(async () => (await database.db.serviceInstance.findMany({ where: { serviceName: "quality", pid: { not: victim } } })).length === 1);
  expect((await database.db.service.findUniqueOrThrow({ where: { name: "quality" } })).replicasDesired).toBe(1);
}, 180_000);

it("keeps a disabled service's worker until the tasks it accepted have ended, then stops it", async () => {
  const ctx = createOrchestratorContext({ db: database.db, redis, prefix });
  const disable = (enabled: boolean) => updateServiceSettings(ctx, { name: "quality", patch: { enabled } }, { actor: { type: "system" } });
  try {
    // A job accepted before the service was disabled, whose task has not run yet (not even enqueued).
    const text = `The committee agreed the budget after a long debate about roads and schools, ${Date.now()}.`;
    const document = await database.db.document.create({
      data: { sha256: createHash("sha256").update(text).digest("hex"), filename: "late.txt", mimeType: "text/plain", sizeBytes: text.length, bytes: Buffer.from(text) },
    });
    const job = await database.db.job.create({
      data: { documentId: document.id, filename: "late.txt", services: ["quality"], options: {}, tasks: { create: { service: "quality", tool: "assess_quality" } } },
    });
    await disable(false);
    await controller.sync();
    expect(supervisor.count("quality")).toBe(1);
    // Its worker finishes it (disabling is not pausing), and the job closes.
    await enqueueJob(ctx, job.id);
    await eventually(async () => (await database.db.job.findUniqueOrThrow({ where: { id: job.id } })).status === "succeeded");
    // Nothing left to finish: the disabled service's processes stop.
    await controller.sync();
    await eventually(async () => supervisor.count("quality") === 0, 10_000);
  } finally {
    await disable(true);
    await eventually(async () => supervisor.count("quality") === 1, 10_000);
    await ctx.close();
  }
}, 120_000);
