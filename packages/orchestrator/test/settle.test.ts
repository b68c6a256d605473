// How jobs end without a parent queue job: the last task's result write closes the job (also
// when two services finish at the same moment), and the reconciler ends what a lost task would
// leave open; how a task uses the result cache. Real Postgres and Redis; no workers run, so queue
// entries stay where a test puts them.
import { createHash } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { UnrecoverableError, Worker } from "bullmq";
import { Redis } from "ioredis";
import { Prisma, fastSql, sql, verifyAuditChain } from "@docgate/db";
import { eventually, type TestDatabase } from "@docgate/db/testing";
import type { OrchestratorContext } from "../src/context";
import { useOrchestratorFixture } from "./fixture";
import { DependencyUnavailableError } from "../src/unavailable";
import { reconcileJobs } from "../src/reconcile";
import { settleTask } from "../src/aggregate";
import { serviceQueueName, taskJobId, type TaskPayload } from "../src/queues";
import { RUNNING_EVENT_DELAY_MS, cacheRedisKey, runTask, type StoredDocumentRow, type TaskHandler } from "../src/tasks";
import { flushAcceptedJob, submitJob } from "../src/submit";
import { JobEventHub } from "../src/events";
import { getJobView } from "../src/job-view";
import { waitForJobView } from "../src/wait";

const REDIS_URL = process.env.REDIS_URL || "redis://127.0.0.1:6379";
const SERVICES = [{ name: "alpha", tool: "run" }, { name: "beta", tool: "run" }];
const fixture = useOrchestratorFixture("settle");
let database: TestDatabase;
let ctx: OrchestratorContext;
let redis: Redis;
let prefix: string;
beforeAll(async () => {
  ({ database, ctx, redis, prefix } = fixture);
});

/** `extracted`: as the gateway passes plain text it read at the door. */
async function submit(text: string, extracted?: { text: string; pageTexts: string[]; extraction: Prisma.InputJsonObject }, answersWhenFinal = false) {
  const bytes = new TextEncoder().encode(text);
  return submitJob(ctx, {
    answersWhenFinal,
    document: { bytes, filename: "a.txt", mimeType: "text/plain", sha256: createHash("sha256").update(bytes).digest("hex"), extracted },
    services: SERVICES,
    options: {},
    actor: { type: "system", id: "test" },
  });
}

const succeeded = { status: "succeeded" as const, outputJson: JSON.stringify({ ok: true }), cached: false, durationMs: 1 };

describe("settleTask", () => {
  it("closes each job exactly once when its two tasks finish at the same moment", async () => {
    const jobs = await Promise.all(Array.from({ length: 20 }, (_, i) => submit(`same moment ${i}`)));
    // Twenty intakes at once each appended their job.create row to one unbroken hash chain.
    expect(await verifyAuditChain(database.db)).toMatchObject({ ok: true, firstBrokenId: null });
    expect(await database.db.auditLog.count({ where: { action: "job.create" } })).toBe(20);
    const subscriber = new Redis(REDIS_URL);
    const finishedEvents: string[] = [];
    subscriber.on("pmessage", (_p, _c, message: string) => {
      const event = JSON.parse(message) as { type: string; jobId: string };
      if (event.type === "job.finished") finishedEvents.push(event.jobId);
    });
    await subscriber.psubscribe(`${prefix}:events:job:*`);
    try {
      const settled = await Promise.all(jobs.flatMap((job) => SERVICES.map((s) => settleTask(ctx, job.jobId, job.taskIds[s.name]!, succeeded))));
      expect(settled.every((s) => s.written)).toBe(true);
      // Exactly one of each job's two writes saw the other final and closed it.
      expect(settled.filter((s) => s.jobStatus === "succeeded")).toHaveLength(jobs.length);
      const rows = await database.db.job.findMany({ where: { id: { in: jobs.map((j) => j.jobId) } } });
      expect(rows.every((r) => r.status === "succeeded" && r.finishedAt)).toBe(true);
      await eventually(async () => finishedEvents.length >= jobs.length, 5_000);
      expect(new Set(finishedEvents).size).toBe(finishedEvents.length);
    } finally {
      subscriber.disconnect();
    }
  });

  it("sends the job's final view with job.finished, the same as reading the job, and a waiting request answers with it", async () => {
    const job = await submit("final view");
    const failed = { status: "failed" as const, error: { code: "tool_error", message: "no" }, durationMs: 2 };
    const hub = new JobEventHub(new Redis(REDIS_URL), prefix);
    try {
      const waiting = waitForJobView(database.db, hub, job.jobId, { timeoutMs: 10_000, pollMs: 60_000 });
      await settleTask(ctx, job.jobId, job.taskIds.alpha!, succeeded);
      const closing = await settleTask(ctx, job.jobId, job.taskIds.beta!, failed);
      expect(closing.jobStatus).toBe("partial");
      const read = await getJobView(database.db, job.jobId);
      expect(closing.view).toEqual(read);
      expect(read).toMatchObject({
        id: job.jobId, status: "partial", services: ["alpha", "beta"],
        results: { alpha: { status: "succeeded", output: { ok: true }, error: null }, beta: { status: "failed", output: null, error: { code: "tool_error" } } },
      });
      expect(read!.finishedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      // The poll interval is a minute: the event woke it.
      const waited = await waiting;
      expect(waited).toEqual({ view: read, finished: true });
    } finally {
      await hub.close();
    }
  });

  it("writes a result once: a repeated write neither changes the task nor reopens or recloses the job", async () => {
    const job = await submit("written once");
    await settleTask(ctx, job.jobId, job.taskIds.alpha!, succeeded);
    expect((await database.db.job.findUniqueOrThrow({ where: { id: job.jobId } })).status).toBe("queued");
    const last = await settleTask(ctx, job.jobId, job.taskIds.beta!, { status: "failed", error: { code: "tool_error", message: "no" }, durationMs: 2 });
    expect(last).toMatchObject({ written: true, jobStatus: "partial", view: { status: "partial" } });
    const again = await settleTask(ctx, job.jobId, job.taskIds.beta!, succeeded);
    expect(again).toEqual({ written: false, jobStatus: null, view: null });
    // Nobody waiting for the view: the job closes all the same, and no view is built.
    const unwatched = await submit("closed without a view");
    await settleTask(ctx, unwatched.jobId, unwatched.taskIds.alpha!, succeeded, { withView: false });
    expect(await settleTask(ctx, unwatched.jobId, unwatched.taskIds.beta!, succeeded, { withView: false }))
      .toEqual({ written: true, jobStatus: "succeeded", view: null });
    const beta = await database.db.jobTask.findUniqueOrThrow({ where: { id: job.taskIds.beta! } });
    expect(beta).toMatchObject({ status: "failed", error: { code: "tool_error" } });
  });

  it("lets a result that leaves its job open commit without waiting for the disk, but not the one that closes it", async () => {
    const job = await submit("quick commits");
    // The enqueue stamp (bookkeeping, a quick commit too) arrives shortly after the intake.
    await eventually(async () => (await database.db.job.findUniqueOrThrow({ where: { id: job.jobId } })).enqueuedAt !== null, 5_000);
    // The transaction's setting at its commit decides whether the commit waits for its WAL flush.
    const settleAndReadMode = (taskId: string) => fastSql(database.db).transaction(async (query) => {
      const [settled] = await query<{ closed: string | null }>(sql`SELECT "closed" FROM docgate_settle_task(${0x6a6f6273}, ${job.jobId}, ${taskId}, 'succeeded', '{}'::jsonb, false, NULL, 1, now()::timestamp(3), NULL, NULL, true)`);
      const [mode] = await query<{ value: string }>(sql`SELECT current_setting('synchronous_commit') AS "value"`);
      return { closed: settled!.closed, synchronousCommit: mode!.value };
    });
    expect(await settleAndReadMode(job.taskIds.alpha!)).toEqual({ closed: null, synchronousCommit: "off" });
    expect(await settleAndReadMode(job.taskIds.beta!)).toEqual({ closed: "succeeded", synchronousCommit: "on" });
  });
});

describe("flushAcceptedJob", () => {
  it("makes the quick intake of a synchronous request durable before its client is told about the open job", async () => {
    const job = await submit("told while still open", undefined, true);
    const [written] = await fastSql(database.db).query<{ lsn: string }>(sql`SELECT pg_current_wal_insert_lsn()::text AS "lsn"`);
    await flushAcceptedJob(database.db, job.jobId);
    const [flushed] = await fastSql(database.db).query<{ behind: string }>(sql`SELECT pg_wal_lsn_diff(${written!.lsn}::pg_lsn, pg_current_wal_flush_lsn())::text AS "behind"`);
    expect(Number(flushed!.behind)).toBeLessThanOrEqual(0);
  });
});

describe("reconcileJobs", () => {
  it("fails as lost a task its queue gave up on, and enqueues again one whose entry Redis lost", async () => {
    const gaveUp = await submit("the queue gave up on alpha");
    await settleTask(ctx, gaveUp.jobId, gaveUp.taskIds.beta!, succeeded);

    // A worker that starts the task (as runTask does) and then loses it for good, as BullMQ does
    // with an entry that stalled too often.
    const refuser = new Worker(serviceQueueName("alpha"), async (job) => {
      await database.db.jobTask.update({ where: { id: (job.data as { taskId: string }).taskId }, data: { status: "running", startedAt: new Date(Date.now() - 5) } });
      throw new UnrecoverableError("job stalled more than allowable limit");
    }, { connection: new Redis(REDIS_URL, { maxRetriesPerRequest: null }), prefix });
    try {
      const alpha = ctx.queue(serviceQueueName("alpha"));
      await eventually(async () => (await alpha.getJobState(taskJobId(gaveUp.taskIds.alpha!))) === "failed", 10_000);
    } finally {
      await refuser.close();
    }
    const wiped = await submit("redis lost beta");
    const beta = ctx.queue(serviceQueueName("beta"));
    await (await beta.getJob(taskJobId(wiped.taskIds.beta!)))!.remove();

    const report = await reconcileJobs(ctx, { graceMs: 0 });
    expect(report.failed).toContain(gaveUp.jobId);
    expect(report.enqueued).toContain(wiped.jobId);

    const lostTask = await database.db.jobTask.findUniqueOrThrow({ where: { id: gaveUp.taskIds.alpha! } });
    expect(lostTask.status).toBe("failed");
    expect(lostTask.error).toMatchObject({ code: "task_lost" });
    expect((lostTask.error as { message: string }).message).toMatch(/stalled more than allowable limit/);
    expect((await database.db.job.findUniqueOrThrow({ where: { id: gaveUp.jobId } })).status).toBe("partial");
    // The lost entry is back, with its payload, waiting for a worker.
    expect(await beta.getJobState(taskJobId(wiped.taskIds.beta!))).toBe("waiting");

    // Retried after that (the task reset to queued, never started again) while the failed entry
    // of its last run is still in Redis: that entry is no verdict on the new run. It is enqueued again.
    await database.db.job.update({ where: { id: gaveUp.jobId }, data: { status: "queued", finishedAt: null } });
    await database.db.jobTask.update({ where: { id: gaveUp.taskIds.alpha! }, data: { status: "queued", startedAt: null, finishedAt: null, error: Prisma.DbNull } });
    const again = await reconcileJobs(ctx, { graceMs: 0 });
    expect(again.failed).not.toContain(gaveUp.jobId);
    expect(again.enqueued).toContain(gaveUp.jobId);
    expect((await database.db.jobTask.findUniqueOrThrow({ where: { id: gaveUp.taskIds.alpha! } })).status).toBe("queued");
    expect(await ctx.queue(serviceQueueName("alpha")).getJobState(taskJobId(gaveUp.taskIds.alpha!))).toBe("waiting");
  });

  it("goes on where its last round stopped, so older slow jobs cannot hide a lost one", async () => {
    // Slow jobs (their entries wait for a worker that does not come), then one whose entry Redis lost.
    await submit("slow one");
    await submit("slow two");
    const lost = await submit("lost behind the slow ones");
    await (await ctx.queue(serviceQueueName("beta")).getJob(taskJobId(lost.taskIds.beta!)))!.remove();

    // One job a round: the oldest open job alone never leads to the lost one.
    const first = await reconcileJobs(ctx, { graceMs: 0, limit: 1 });
    expect(first.enqueued).not.toContain(lost.jobId);
    expect(first.next).not.toBeNull();
    const enqueued = [...first.enqueued];
    let after = first.next;
    for (let round = 0; after && round < 100; round++) {
      const report = await reconcileJobs(ctx, { graceMs: 0, limit: 1, after });
      enqueued.push(...report.enqueued);
      after = report.next;
    }
    expect(after).toBeNull(); // the rounds reached the newest open job
    expect(enqueued).toContain(lost.jobId);
    expect(await ctx.queue(serviceQueueName("beta")).getJobState(taskJobId(lost.taskIds.beta!))).toBe("waiting");
  });
});

describe("runTask", () => {
  it("leaves a task whose own Postgres or Redis failed to the worker's later try, and spends attempts only on the call's own failures", async () => {
    const payloadOf = async (job: { taskIds: Record<string, string> }) =>
      (await ctx.queue(serviceQueueName("alpha")).getJob(taskJobId(job.taskIds.alpha!)))!.data as TaskPayload;
    const attempt = { number: 1, max: 3, timeoutMs: 5_000 };
    const refused = () => Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" });

    // The cache key's read found Postgres down: not an attempt.
    const keyless = await submit("cache key read failed");
    await expect(runTask(ctx, await payloadOf(keyless), { cacheKey: async () => { throw refused(); }, call: async () => ({}) }, attempt)).rejects.toThrow(/ECONNREFUSED/);
    // A built-in tool's read found it down (what crosses MCP is its message): not an attempt either.
    const builtin = await submit("built-in tool read failed");
    await expect(runTask(ctx, await payloadOf(builtin), { cacheKey: async () => null, call: async () => { throw new DependencyUnavailableError("Connection terminated"); } }, attempt))
      .rejects.toBeInstanceOf(DependencyUnavailableError);
    for (const job of [keyless, builtin]) {
      expect(await database.db.jobTask.findUniqueOrThrow({ where: { id: job.taskIds.alpha! } })).toMatchObject({ status: "running", error: null });
    }

    // An entry that has waited out outages long enough: what still looks like one is the task's own failure.
    const looping = await submit("looks like an outage for ever");
    const spent = await runTask(ctx, await payloadOf(looping), { cacheKey: async () => null, call: async () => { throw new DependencyUnavailableError("No taxonomy \"econnrefused\""); } },
      { ...attempt, waitOutOutage: false });
    expect(spent).toMatchObject({ kind: "retry" });

    // A remote server that refuses the call: the task's failure, tried again with an attempt spent.
    const remote = await submit("remote server down");
    const outcome = await runTask(ctx, await payloadOf(remote), { cacheKey: async () => null, call: async () => { throw refused(); } }, attempt);
    expect(outcome).toMatchObject({ kind: "retry", error: { code: "service_error" } });
    expect(await database.db.jobTask.findUniqueOrThrow({ where: { id: remote.taskIds.alpha! } })).toMatchObject({ status: "queued", attempts: 1 });
  });

  it("stores output and error text holding NUL characters, which Postgres's jsonb refuses as they are", async () => {
    const payloadOf = async (job: { taskIds: Record<string, string> }) =>
      (await ctx.queue(serviceQueueName("alpha")).getJob(taskJobId(job.taskIds.alpha!)))!.data as TaskPayload;
    const last = { number: 1, max: 1, timeoutMs: 5_000 };
    const output = await submit("output with a NUL");
    const text = "a\u0000b \\u0000 stays text";
    expect(await runTask(ctx, await payloadOf(output), { cacheKey: async () => null, call: async () => ({ text }) }, last)).toEqual({ kind: "done", status: "succeeded" });
    expect((await database.db.jobTask.findUniqueOrThrow({ where: { id: output.taskIds.alpha! } })).output).toEqual({ text: "a\ufffdb \\u0000 stays text" });

    const failure = await submit("error with a NUL");
    expect(await runTask(ctx, await payloadOf(failure), { cacheKey: async () => null, call: async () => { throw new Error("bad\u0000 answer"); } }, last))
      .toEqual({ kind: "done", status: "failed" });
    expect((await database.db.jobTask.findUniqueOrThrow({ where: { id: failure.taskIds.alpha! } })).error).toEqual({ code: "service_error", message: "bad answer" });
  });

  it("computes bytes seen for the first time without asking the cache, and answers them from it when they come again", async () => {
    const payloadOf = async (job: { taskIds: Record<string, string> }) =>
      (await ctx.queue(serviceQueueName("alpha")).getJob(taskJobId(job.taskIds.alpha!)))!.data as TaskPayload;
    let calls = 0;
    const handler: TaskHandler = { cacheKey: async (p) => `alpha:run:${p.sha256}`, call: async () => ({ computed: ++calls }) };
    const attempt = { number: 1, max: 1, timeoutMs: 5_000 };
    const taskRow = (job: { taskIds: Record<string, string> }) => database.db.jobTask.findUniqueOrThrow({ where: { id: job.taskIds.alpha! } });

    const first = await submit("cached once, answered twice");
    const firstPayload = await payloadOf(first);
    expect(firstPayload.newDocument).toBe(true);
    // Nobody waits for this job's view (a synchronous request would: see TaskPayload.awaited).
    expect(firstPayload.awaited).toBeUndefined();
    expect((await payloadOf(await submit("awaited", undefined, true))).awaited).toBe(true);
    // An entry under the key, as bytes stored once, deleted and sent again could leave: not read.
    await redis.set(cacheRedisKey(prefix, `alpha:run:${firstPayload.sha256}`), JSON.stringify({ stale: true }));
    await runTask(ctx, firstPayload, handler, attempt);
    expect(await taskRow(first)).toMatchObject({ status: "succeeded", cached: false, output: { computed: 1 } });

    const again = await submit("cached once, answered twice");
    const againPayload = await payloadOf(again);
    expect(againPayload.newDocument).toBeUndefined();
    await runTask(ctx, againPayload, handler, attempt);
    expect(await taskRow(again)).toMatchObject({ status: "succeeded", cached: true, output: { computed: 1 } });
    expect(calls).toBe(1);
  });
  it("hands text read at the door to its tasks in the payload: the call does not wait for the start statement, and a task already final drops its answer", async () => {
    const text = "read at the door";
    const extracted = { text, pageTexts: [text], extraction: { language: "und", words: 4 } };
    const job = await submit(text, extracted);
    const payload = (await ctx.queue(serviceQueueName("alpha")).getJob(taskJobId(job.taskIds.alpha!)))!.data as TaskPayload;
    expect(payload.documentText).toEqual({ mimeType: "text/plain", text, extraction: extracted.extraction });

    let handed: StoredDocumentRow | null = null;
    let calls = 0;
    const handler: TaskHandler = {
      readsDocument: true,
      cacheKey: async () => null,
      prefetch: (_p, reads) => void reads.document.then((row) => (handed = row)),
      call: async () => ({ call: ++calls }),
    };
    const attempt = { number: 1, max: 1, timeoutMs: 5_000 };
    // The task's row is locked, so its start statement waits; the call must not.
    let release!: () => void;
    const locked = database.db.$transaction(async (tx) => {
      await tx.$queryRaw`SELECT 1 FROM "JobTask" WHERE "id" = ${job.taskIds.alpha!} FOR UPDATE`;
      await new Promise<void>((resolve) => (release = resolve));
    }, { timeout: 10_000 });
    await eventually(async () => release !== undefined, 5_000);
    const running = runTask(ctx, payload, handler, attempt);
    await eventually(async () => calls === 1, 5_000);
    expect(await database.db.jobTask.findUniqueOrThrow({ where: { id: job.taskIds.alpha! } })).toMatchObject({ status: "queued" });
    release();
    await locked;
    expect(await running).toEqual({ kind: "done", status: "succeeded" });
    expect(await database.db.jobTask.findUniqueOrThrow({ where: { id: job.taskIds.alpha! } })).toMatchObject({ status: "succeeded", output: { call: 1 } });
    // What the task read from its payload is the stored row (one page, the whole text: no second copy of it).
    const stored = await database.db.document.findUniqueOrThrow({ where: { id: job.documentId }, select: { id: true, mimeType: true, text: true, pageTexts: true, metadata: true, extractionError: true } });
    expect(handed).toEqual(stored);
    expect(stored.pageTexts).toBeNull();

    // Delivered again: the call may run, but its answer is not written.
    expect(await runTask(ctx, payload, handler, attempt)).toEqual({ kind: "done", status: "succeeded" });
    expect(await database.db.jobTask.findUniqueOrThrow({ where: { id: job.taskIds.alpha! } })).toMatchObject({ status: "succeeded", output: { call: 1 } });
  });

  describe("a first run's start", () => {
    const payloadOf = async (job: { taskIds: Record<string, string> }, service = "alpha") =>
      (await ctx.queue(serviceQueueName(service)).getJob(taskJobId(job.taskIds[service]!)))!.data as TaskPayload;
    const taskRow = (id: string) => database.db.jobTask.findUniqueOrThrow({ where: { id } });
    /** A built-in-like handler that notes its task's status as its call sees it. */
    const noting = (taskId: string, seen: string[], startWithResult = true): TaskHandler => ({
      startWithResult,
      cacheKey: async () => null,
      call: async () => {
        seen.push((await taskRow(taskId)).status);
        return { ok: true };
      },
    });
    const first = { number: 1, max: 2, timeoutMs: 5_000, firstRun: true };

    it("is left to its result when quick, and recorded before the call on a later run or for a call to another server", async () => {
      const job = await submit("started by its result");
      const seen: string[] = [];
      const before = Date.now();
      expect(await runTask(ctx, await payloadOf(job), noting(job.taskIds.alpha!, seen), first)).toEqual({ kind: "done", status: "succeeded" });
      expect(seen).toEqual(["queued"]); // no statement before the call
      const alpha = await taskRow(job.taskIds.alpha!);
      expect(alpha).toMatchObject({ status: "succeeded", attempts: 1 });
      expect(alpha.startedAt!.getTime()).toBeGreaterThanOrEqual(before - 1);
      expect(alpha.startedAt!.getTime()).toBeLessThanOrEqual(alpha.finishedAt!.getTime());
      // Its job stays open (beta has not run): the result marked it running, as a start would have.
      expect(await database.db.job.findUniqueOrThrow({ where: { id: job.jobId } })).toMatchObject({ status: "running", startedAt: alpha.startedAt });

      // Not the entry's first run (an earlier one may have died in the tool): the start comes first.
      const betaSeen: string[] = [];
      await runTask(ctx, await payloadOf(job, "beta"), noting(job.taskIds.beta!, betaSeen), { ...first, firstRun: false });
      expect(betaSeen).toEqual(["running"]);
      expect(await database.db.job.findUniqueOrThrow({ where: { id: job.jobId } })).toMatchObject({ status: "succeeded", startedAt: alpha.startedAt });

      // A handler that does not allow it (its call goes to another server): the start comes first.
      const other = await submit("a call to another server");
      const otherSeen: string[] = [];
      await runTask(ctx, await payloadOf(other), noting(other.taskIds.alpha!, otherSeen, false), first);
      expect(otherSeen).toEqual(["running"]);
    });

    it("is recorded once the task has run for a while, at the time it started", async () => {
      const job = await submit("a slow first run");
      const row = () => taskRow(job.taskIds.alpha!);
      let startedWhileRunning: Date | null = null;
      const before = Date.now();
      await runTask(ctx, await payloadOf(job), {
        startWithResult: true,
        cacheKey: async () => null,
        call: async () => {
          await eventually(async () => (await row()).status === "running", 5_000);
          startedWhileRunning = (await row()).startedAt;
          return { slow: true };
        },
      }, first);
      expect(startedWhileRunning!.getTime()).toBeLessThan(before + RUNNING_EVENT_DELAY_MS);
      expect(await row()).toMatchObject({ status: "succeeded", attempts: 1, startedAt: startedWhileRunning });
      expect((await database.db.job.findUniqueOrThrow({ where: { id: job.jobId } })).status).toBe("running");
    });

    it("lets a task cancelled while it waited run its call for nothing: nothing is written, nothing is tried again", async () => {
      const job = await submit("cancelled while queued");
      await database.db.jobTask.update({ where: { id: job.taskIds.alpha! }, data: { status: "cancelled" } });
      let calls = 0;
      const failing: TaskHandler = { startWithResult: true, cacheKey: async () => null, call: async () => { calls++; throw new Error("flaky"); } };
      expect(await runTask(ctx, await payloadOf(job), failing, first)).toEqual({ kind: "done", status: "cancelled" });
      const answering: TaskHandler = { startWithResult: true, cacheKey: async () => null, call: async () => ({ late: true }) };
      expect(await runTask(ctx, await payloadOf(job), answering, first)).toEqual({ kind: "done", status: "cancelled" });
      expect(calls).toBe(1);
      expect(await taskRow(job.taskIds.alpha!)).toMatchObject({ status: "cancelled", output: null, error: null, startedAt: null });
    });

    it("is the one a retried job's start time comes from, not the job's first run", async () => {
      const job = await submit("run twice");
      await settleTask(ctx, job.jobId, job.taskIds.alpha!, succeeded);
      await settleTask(ctx, job.jobId, job.taskIds.beta!, { status: "failed", error: { code: "tool_error", message: "no" }, durationMs: 1 });
      const firstRun = (await database.db.job.findUniqueOrThrow({ where: { id: job.jobId } })).startedAt!;
      // As retryJob leaves it: the job queued again with its old start, the failed task queued.
      await database.db.job.update({ where: { id: job.jobId }, data: { status: "queued", finishedAt: null } });
      await database.db.jobTask.update({ where: { id: job.taskIds.beta! }, data: { status: "queued", startedAt: null, finishedAt: null, error: Prisma.DbNull } });
      const rerun = new Date(firstRun.getTime() + 5_000);
      await settleTask(ctx, job.jobId, job.taskIds.beta!, succeeded, { unrecordedStart: { at: rerun, attempt: 1 } });
      expect(await database.db.job.findUniqueOrThrow({ where: { id: job.jobId } })).toMatchObject({ status: "succeeded", startedAt: rerun });
      expect(await taskRow(job.taskIds.beta!)).toMatchObject({ startedAt: rerun, attempts: 1 });
    });
  });

  it("announces a task as running only once it has run for a while, always before it finishes", async () => {
    const subscriber = new Redis(REDIS_URL);
    const events: { type: string; jobId: string; service?: string }[] = [];
    subscriber.on("pmessage", (_p, _c, message: string) => events.push(JSON.parse(message)));
    await subscriber.psubscribe(`${prefix}:events:job:*`);
    try {
      const typesOf = (jobId: string) => events.filter((e) => e.jobId === jobId && e.service === "alpha").map((e) => e.type);
      const attempt = { number: 1, max: 1, timeoutMs: 5_000 };
      const payloadOf = async (job: { taskIds: Record<string, string> }) =>
        (await ctx.queue(serviceQueueName("alpha")).getJob(taskJobId(job.taskIds.alpha!)))!.data as TaskPayload;

      const quick = await submit("a quick task");
      await runTask(ctx, await payloadOf(quick), { cacheKey: async () => null, call: async () => ({ quick: true }) }, attempt);
      await eventually(async () => typesOf(quick.jobId).includes("task.finished"), 5_000);
      expect(typesOf(quick.jobId)).toEqual(["task.finished"]);

      // This one runs until its running event has gone out.
      const slow = await submit("a slow task");
      const slowCall = async () => {
        await eventually(async () => typesOf(slow.jobId).includes("task.running"), 5_000);
        return { slow: true };
      };
      await runTask(ctx, await payloadOf(slow), { cacheKey: async () => null, call: slowCall }, attempt);
      await eventually(async () => typesOf(slow.jobId).includes("task.finished"), 5_000);
      expect(typesOf(slow.jobId)).toEqual(["task.running", "task.finished"]);
    } finally {
      subscriber.disconnect();
    }
  });
});
