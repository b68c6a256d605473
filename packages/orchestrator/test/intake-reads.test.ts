// The intake's share of a quality task: for text extracted at the door, the intake statement
// stores the text's signature with the new document and reads the profile and the signature's
// exact match, which the task then finds in its payload instead of reading them itself.
import { createHash } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { simhash64 } from "@docgate/mcp";
import type { TestDatabase } from "@docgate/db/testing";
import type { OrchestratorContext } from "../src/context";
import { useOrchestratorFixture } from "./fixture";
import { ensureDefaultProfile } from "../src/profiles";
import { serviceQueueName, taskJobId, type TaskPayload } from "../src/queues";
import { INLINE_TEXT_MAX_CHARS, submitJob } from "../src/submit";

const fixture = useOrchestratorFixture("intake");
let database: TestDatabase;
let ctx: OrchestratorContext;
beforeAll(async () => {
  ({ database, ctx } = fixture);
  await ensureDefaultProfile(database.db);
});

/** A text/plain upload whose text the gateway read at the door; `bytes` default to the text. */
async function submit(text: string, options: { tool?: string; bytes?: string } = {}) {
  const bytes = new TextEncoder().encode(options.bytes ?? text);
  const job = await submitJob(ctx, {
    document: {
      bytes, filename: "a.txt", mimeType: "text/plain", sha256: createHash("sha256").update(bytes).digest("hex"),
      extracted: { text, pageTexts: [text], extraction: {} },
    },
    services: [{ name: "quality", tool: options.tool ?? "assess_quality" }, { name: "classification", tool: "classify_document" }],
    options: {},
    actor: { type: "system", id: "test" },
  });
  const payloadOf = async (service: string) => (await ctx.queue(serviceQueueName(service)).getJob(taskJobId(job.taskIds[service]!)))!.data as TaskPayload;
  const stored = await database.db.document.findUniqueOrThrow({ where: { id: job.documentId }, select: { simhash: true, createdAt: true } });
  return { job, quality: await payloadOf("quality"), classification: await payloadOf("classification"), stored };
}

describe("the intake's reads for a quality task", () => {
  it("stores the signature and hands the task its profile and exact match", async () => {
    const text = "The committee met on Tuesday and agreed the budget for the coming year after a long debate about roads, schools and the harbour.";
    const first = await submit(text);
    expect(first.stored.simhash).toMatch(/^[0-9a-f]{16}$/);
    expect(first.stored.simhash).toBe(simhash64(text));
    expect(first.quality.intakeRead).toEqual({
      profile: expect.objectContaining({ name: "default", isDefault: true, version: expect.any(Number) }),
      signature: { exactId: null, createdAtMs: first.stored.createdAt.getTime() },
    });
    // Only the quality task has a read of its own.
    expect(first.classification.intakeRead).toBeUndefined();

    // Other bytes, the same text: the earlier document is its exact match.
    const copy = await submit(text, { bytes: `${text}\n` });
    expect(copy.quality.intakeRead).toMatchObject({ signature: { exactId: first.job.documentId } });
  });

  it("reads the same for validate_document, and nothing for text that does not ride in the payload or bytes stored before", async () => {
    const note = "A note to validate against the default profile, long enough to have a signature of its own if anyone asked for one here.";
    const validated = await submit(note, { tool: "validate_document" });
    expect(validated.quality.intakeRead).toMatchObject({ signature: { exactId: null }, profile: { name: "default" } });
    expect(validated.stored.simhash).toBe(simhash64(note));

    // Too long to ride in the payload: the task reads the text, and the rest with it, itself.
    const long = await submit("word ".repeat(INLINE_TEXT_MAX_CHARS / 4));
    expect(long.quality.documentText).toBeUndefined();
    expect(long.quality.intakeRead).toBeUndefined();
    expect(long.stored.simhash).toBeNull();

    // The same bytes again: the stored row is reused, and its task carries neither text nor reads.
    const again = await submit(note, { tool: "validate_document" });
    expect(again.job.documentId).toBe(validated.job.documentId);
    expect(again.quality.intakeRead).toBeUndefined();
  });
});
