import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  bulkJobAction, cancelJob, createOrchestratorContext, createWorkerRedis, enqueueJob, getJobView, listJobs, retryJob,
  type OrchestratorContext,
} from "@docgate/orchestrator";
import { SAMPLE_TEXT } from "../../../packages/mcp/test/fixtures";
import { REDIS_URL, eventually, startHarness, type Harness } from "./harness";

let harness: Harness;
let ctx: OrchestratorContext;
const audit = { actor: { type: "system" as const } };

beforeAll(async () => {
  harness = await startHarness();
  ctx = createOrchestratorContext({ db: harness.database.db, redis: createWorkerRedis(REDIS_URL), prefix: harness.prefix });
});
afterAll(async () => {
  await ctx?.close();
  ctx?.redis.disconnect();
  await harness?.stop();
});

let counter = 0;
async function jobFor(bytes: string, mimeType: string, services = ["quality"]) {
  const { db } = harness.database;
  const doc = await db.document.create({
    data: { sha256: `${Date.now()}${counter++}`.padEnd(64, "a"), filename: `doc-${counter}.txt`, mimeType, sizeBytes: bytes.length, bytes: new TextEncoder().encode(bytes) },
  });
  return db.job.create({
    data: { documentId: doc.id, filename: doc.filename, services, tasks: { create: services.map((s) => ({ service: s, tool: s === "quality" ? "assess_quality" : "classify_document" })) } },
  });
}

const finalView = (id: string) =>
  eventually(async () => {
    const view = await getJobView(harness.database.db, id);
    return view && ["succeeded", "partial", "failed", "cancelled"].includes(view.status) ? view : null;
  });

describe("retry", () => {
  it("runs a failed job's services again and keeps the audit trail", async () => {
    const { db } = harness.database;
    const job = await jobFor("%PDF-1.4 this is not really a pdf", "application/pdf");
    await enqueueJob(ctx, job.id);
    const failed = await finalView(job.id);
    expect(failed.status).toBe("failed");
    expect(failed.results.quality!.error?.code).toBe("tool_error");

    // The operator fixes the cause (here: the stored bytes), then retries.
    await db.document.update({ where: { id: failed.document.id }, data: { bytes: new TextEncoder().encode(SAMPLE_TEXT), mimeType: "text/plain", extractionError: null } });
    await retryJob(ctx, job.id, audit);
    const retried = await finalView(job.id);
    expect(retried.status).toBe("succeeded");
    expect(retried.results.quality!.error).toBeNull();
    expect(await db.auditLog.count({ where: { action: "job.retry", target: job.id } })).toBe(1);
    await expect(retryJob(ctx, job.id, audit)).rejects.toThrow(/Only failed, partial or cancelled/);
  });
});

describe("re-run one service", () => {
  it("runs just that service again on a finished job, and refuses a service the job did not run", async () => {
    const { db } = harness.database;
    const job = await jobFor(`${SAMPLE_TEXT} rerun`, "text/plain", ["quality", "classification"]);
    await enqueueJob(ctx, job.id);
    const first = await finalView(job.id);
    expect(first.status).toBe("succeeded");
    const before = await db.jobTask.findUniqueOrThrow({ where: { jobId_service: { jobId: job.id, service: "classification" } } });

    await retryJob(ctx, job.id, audit, { services: ["quality"] });
    const again = await finalView(job.id);
    expect(again.status).toBe("succeeded");
    const after = await db.jobTask.findMany({ where: { jobId: job.id } });
    const quality = after.find((t) => t.service === "quality")!;
    expect(quality.finishedAt!.getTime()).toBeGreaterThan(new Date(first.finishedAt!).getTime() - 1);
    expect(after.find((t) => t.service === "classification")!.finishedAt).toEqual(before.finishedAt); // untouched
    expect(await db.auditLog.count({ where: { action: "job.rerun", target: job.id } })).toBe(1);
    await expect(retryJob(ctx, job.id, audit, { services: ["nope"] })).rejects.toThrow(/did not run/);
  });
});

describe("cancel", () => {
  it("cancels a queued job, and a worker that gets its task later leaves it cancelled", async () => {
    const { db } = harness.database;
    const job = await jobFor(SAMPLE_TEXT, "text/plain");
    expect(await cancelJob(ctx, job.id, audit)).toBe("cancelled");
    await enqueueJob(ctx, job.id).catch(() => {}); // a stale queue entry, as if Redis still held it
    const row = await db.job.findUniqueOrThrow({ where: { id: job.id }, include: { tasks: true } });
    expect(row.status).toBe("cancelled");
    expect(row.tasks.every((t) => t.status === "cancelled")).toBe(true);
    await expect(cancelJob(ctx, job.id, audit)).rejects.toThrow(/already cancelled/);
  });

  it("bulk-cancels only the jobs matching a filter, and lists them with SQL filters", async () => {
    const a = await jobFor(`${SAMPLE_TEXT} a`, "text/plain");
    const b = await jobFor(`${SAMPLE_TEXT} b`, "text/plain");
    const result = await bulkJobAction(ctx, "cancel", { search: a.filename }, audit);
    expect(result.done).toEqual([a.id]);
    const listed = await listJobs(harness.database.db, { statuses: ["cancelled"], search: a.filename }, { page: 1, pageSize: 10 });
    expect(listed.jobs.map((j) => j.id)).toEqual([a.id]);
    const stillQueued = await harness.database.db.job.findUniqueOrThrow({ where: { id: b.id } });
    expect(stillQueued.status).not.toBe("cancelled");
  });
});
