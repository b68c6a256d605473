// The classification worker's view of the active model: one task sees one model, whatever an
// activation does meanwhile, and the next task sees the new one.
import { describe, expect, it } from "vitest";
import { createModelSource } from "../src/models";
import { runInTaskScope } from "../src/task-scope";
import { useWorkerFixture } from "./fixture";

const fixture = useWorkerFixture();

describe("createModelSource", () => {
  it("keeps a task's cache key and its tool call on the model the task first looked up", async () => {
    const db = fixture.database.db;
    const taxonomy = await db.taxonomy.create({ data: { name: "pinned", labels: ["a", "b"] } });
    const first = await db.model.create({ data: { taxonomyId: taxonomy.id, version: 1, status: "active", algorithm: "test" } });
    const second = await db.model.create({ data: { taxonomyId: taxonomy.id, version: 2, status: "ready", algorithm: "test" } });
    // No reuse across lookups: only the task's own memory can keep the first answer.
    const models = createModelSource(db, { activeLookupTtlMs: 0 });

    const seenInTask = await runInTaskScope(async () => {
      const key = await models.cacheVariant("pinned");
      // An admin activates the other version while the task runs (between its key and its call).
      await db.$transaction([
        db.model.update({ where: { id: first.id }, data: { status: "archived" } }),
        db.model.update({ where: { id: second.id }, data: { status: "active" } }),
      ]);
      return { key, calledWith: await models.activeModelId("pinned") };
    });
    expect(seenInTask.key).toContain(first.id);
    expect(seenInTask.calledWith).toBe(first.id);

    // The next task uses the activated version.
    expect(await runInTaskScope(() => models.activeModelId("pinned"))).toBe(second.id);
  });
});
