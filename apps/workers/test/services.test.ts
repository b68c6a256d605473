// A built-in service's task handler when our own Postgres fails under its tool: the task is
// not the document's fault, so it must come back later, not fail for good.
import { randomBytes } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { createDb } from "@docgate/db";
import { DependencyUnavailableError, PermanentTaskError, isDependencyUnavailable, type TaskPayload } from "@docgate/orchestrator";
import { createDocumentSource } from "../src/documents";
import { createServiceBackend } from "../src/services";
import { runInTaskScope } from "../src/task-scope";
import { useWorkerFixture } from "./fixture";

const fixture = useWorkerFixture();
const { redis, prefix } = fixture;
// Nothing listens on port 1: every read of the document is refused, as when Postgres is down.
const unreachable = createDb("postgresql://postgres@127.0.0.1:1/docgate", { max: 1 });

afterAll(async () => {
  await unreachable.$disconnect();
});

const payload = (tool: string): TaskPayload => ({
  v: 1, jobId: "job-1", taskId: "task-1", service: "quality", tool, documentId: "doc-1", sha256: "0".repeat(64), options: {},
});

describe("a built-in service's task handler", () => {
  it("reports Postgres unreachable under its tool as our outage, and a bad document as the task's failure", async () => {
    const backend = await createServiceBackend({ db: fixture.database.db, redis, prefix, documents: createDocumentSource(unreachable), name: "quality", kind: "builtin" });
    try {
      const outage = await runInTaskScope(() => backend.handler.call(payload("assess_quality"), new AbortController().signal)).catch((e: unknown) => e);
      expect(outage).toBeInstanceOf(DependencyUnavailableError);
      expect(isDependencyUnavailable(outage)).toBe(true);
      expect((outage as Error).message).toMatch(/ECONNREFUSED/);

      // The same tool refusing its arguments stays the task's own, permanent failure.
      const refused = await runInTaskScope(() => backend.handler.call(payload("no_such_tool"), new AbortController().signal)).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(PermanentTaskError);
    } finally {
      await backend.close();
    }
  });

  it("reports our own Postgres unreachable under an external service's call as our outage, before the server is called", async () => {
    const db = fixture.database.db;
    // Nothing listens at the server's address either: reaching it would be a different failure.
    await db.service.create({ data: { name: "ext-outage", kind: "external", url: "http://127.0.0.1:9/mcp", tools: [{ name: "echo", inputSchema: { type: "object" } }] } });
    const document = await db.document.create({ data: { sha256: randomBytes(32).toString("hex"), filename: "x.txt", mimeType: "text/plain", sizeBytes: 1, bytes: Buffer.from("x") } });
    const backend = await createServiceBackend({ db, redis, prefix, documents: createDocumentSource(unreachable), name: "ext-outage", kind: "external" });
    try {
      const task = { ...payload("echo"), service: "ext-outage", documentId: document.id };
      const outage = await runInTaskScope(() => backend.handler.call(task, new AbortController().signal)).catch((e: unknown) => e);
      expect(outage).toBeInstanceOf(DependencyUnavailableError);
      expect((outage as Error).message).toMatch(/ECONNREFUSED/);
    } finally {
      await backend.close();
    }
  });

  it("serves a quality task from what its intake read, without a statement of its own", async () => {
    // Postgres is unreachable for this backend: any statement would fail the task.
    const backend = await createServiceBackend({ db: unreachable, redis, prefix, documents: createDocumentSource(unreachable), name: "quality", kind: "builtin" });
    const text = "Our hiking club walked the northern ridge on Saturday under a clear sky, and everyone reached the summit by noon before the rain came back.";
    const task: TaskPayload = {
      ...payload("assess_quality"), newDocument: true,
      documentText: { mimeType: "text/plain", text, extraction: {} },
      intakeRead: {
        profile: { name: "strict", description: null, version: 7, rules: {}, isDefault: false },
        signature: { exactId: "doc-earlier", createdAtMs: Date.now() },
      },
    };
    try {
      const { key, output } = await runInTaskScope(async () => {
        expect(backend.handler.startWith?.(task)).toBeNull(); // nothing left for a start statement
        backend.handler.prefetch?.(task, {
          document: Promise.resolve({ id: task.documentId, mimeType: "text/plain", text, pageTexts: null, metadata: { extraction: {} }, extractionError: null }),
          startRead: Promise.resolve(undefined),
        });
        return { key: await backend.handler.cacheKey(task), output: await backend.handler.call(task, new AbortController().signal) };
      });
      expect(key).toContain("strict@7");
      const result = output as { profile: { name: string; version: number }; issues: { code: string; message: string }[] };
      expect(result.profile).toEqual({ name: "strict", version: 7 });
      expect(result.issues.find((i) => i.code === "near_duplicate_document")?.message).toBe("The text is the same as earlier document doc-earlier.");
    } finally {
      await backend.close();
    }
  });
});
