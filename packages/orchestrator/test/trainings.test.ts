// Model versions left `training` with no training under way (its queue entry lost, or ended
// without the version's own write) are failed, so their taxonomy can train again. Real Postgres
// and Redis; a BullMQ worker here plays the trainer that dies.
import { describe, expect, it } from "vitest";
import { Worker } from "bullmq";
import { Redis } from "ioredis";
import { eventually } from "@docgate/db/testing";
import { useOrchestratorFixture } from "./fixture";
import { TRAIN_JOB_NAME, TRAIN_QUEUE, failStrandedTrainings } from "../src/models";

const REDIS_URL = process.env.REDIS_URL || "redis://127.0.0.1:6379";
const fixture = useOrchestratorFixture("train");

async function trainingVersion(name: string) {
  const taxonomy = await fixture.database.db.taxonomy.create({ data: { name, labels: ["a", "b"] } });
  const model = await fixture.database.db.model.create({ data: { taxonomyId: taxonomy.id, version: 1, status: "training", algorithm: "pending" } });
  await fixture.ctx.queue(TRAIN_QUEUE).add(TRAIN_JOB_NAME, { v: 1, modelId: model.id }, { jobId: `train-${model.id}`, attempts: 1 });
  return model.id;
}

const statusOf = async (id: string) => (await fixture.database.db.model.findUniqueOrThrow({ where: { id } })).status;

describe("failStrandedTrainings", () => {
  it("fails versions whose training was lost or died unrecorded, and leaves waiting ones alone", async () => {
    // A trainer that fails its entry without writing the version (Postgres was down as it ended).
    const died = await trainingVersion("trainer-died");
    const trainer = new Worker(TRAIN_QUEUE, async () => {
      throw new Error("the child exited 1 and the version could not be marked failed");
    }, { connection: new Redis(REDIS_URL, { maxRetriesPerRequest: null }), prefix: fixture.prefix });
    try {
      await eventually(async () => (await fixture.ctx.queue(TRAIN_QUEUE).getJobState(`train-${died}`)) === "failed", 10_000);
    } finally {
      await trainer.close();
    }
    // No trainer from here on: this one waits.
    const waiting = await trainingVersion("waits-for-a-trainer");
    const lost = await trainingVersion("lost-by-redis");
    await (await fixture.ctx.queue(TRAIN_QUEUE).getJob(`train-${lost}`))!.remove();

    // Too recent to judge (its intake may not have added its entry yet): nothing happens.
    expect(await failStrandedTrainings(fixture.ctx)).toEqual([]);

    const failed = await failStrandedTrainings(fixture.ctx, { graceMs: 0 });
    expect(failed.sort()).toEqual([lost, died].sort());
    expect(await statusOf(lost)).toBe("failed");
    expect(await statusOf(died)).toBe("failed");
    expect((await fixture.database.db.model.findUniqueOrThrow({ where: { id: lost } })).error).toMatch(/lost from its queue/);
    expect(await statusOf(waiting)).toBe("training");
  });
});
