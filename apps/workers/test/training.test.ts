// A model version's training writes its result only while the version is still `training`:
// the reconcile round may fail it meanwhile (its queue entry lost), and it must stay failed.
import { describe, expect, it } from "vitest";
import { eventually } from "@docgate/db/testing";
import { trainModelVersion } from "../src/training";
import { useWorkerFixture } from "./fixture";

const fixture = useWorkerFixture();

describe("trainModelVersion", () => {
  it("drops its result when the version was failed while it trained", async () => {
    const db = fixture.database.db;
    const taxonomy = await db.taxonomy.create({ data: { name: "stranded", labels: ["cats", "boats"] } });
    const examples = Array.from({ length: 8 }, (_, i) => [
      { text: `The cat ${i} slept on the warm windowsill and purred at the birds outside.`, label: "cats" },
      { text: `The boat ${i} sailed out of the harbour at dawn with its nets and crew.`, label: "boats" },
    ]).flat();
    await db.trainingExample.createMany({ data: examples.map((e) => ({ ...e, taxonomyId: taxonomy.id, source: "api" })) });
    const version = await db.model.create({ data: { taxonomyId: taxonomy.id, version: 1, status: "training", algorithm: "pending" } });

    // The reconcile round fails the version (failStrandedTrainings) while it trains: its update
    // holds the row until the training's own write waits for it, then commits.
    const outcome = await db.$transaction(async (tx) => {
      await tx.$executeRaw`UPDATE "Model" SET "status" = 'failed', "error" = 'lost from its queue' WHERE "id" = ${version.id}`;
      const training = trainModelVersion(db, version.id);
      await eventually(async () => {
        const waiting = await db.$queryRaw<{ n: bigint }[]>`
          SELECT count(*) AS n FROM pg_stat_activity
          WHERE "datname" = current_database() AND "wait_event_type" = 'Lock' AND "query" LIKE '%"Model"%'`;
        return Number(waiting[0]!.n) > 0;
      });
      return { training };
    }).then(({ training }) => training);

    expect(outcome).toMatchObject({ status: "failed", reason: expect.stringMatching(/no longer training/) });
    const row = await db.model.findUniqueOrThrow({ where: { id: version.id } });
    expect(row).toMatchObject({ status: "failed", error: "lost from its queue", artifact: null });
  });
});
