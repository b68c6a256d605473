// A synchronous request waits for its job on Redis events, with a slow Postgres poll as the
// fallback. Real Redis; the look at the job is the test's own, so the event can be made to
// arrive exactly while a look is in flight.
import { randomBytes } from "node:crypto";
import { getEventListeners } from "node:events";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Redis } from "ioredis";
import { eventually } from "@docgate/db/testing";
import { JobEventHub, jobChannel, publishJobEvent } from "../src/events";
import { JobListener, watchJob } from "../src/wait";

const REDIS_URL = process.env.REDIS_URL || "redis://127.0.0.1:6379";
const prefix = `dgtest-wait-${randomBytes(4).toString("hex")}`;
let publisher: Redis;
let hub: JobEventHub;

beforeAll(() => {
  publisher = new Redis(REDIS_URL);
  hub = new JobEventHub(new Redis(REDIS_URL), prefix);
});

afterAll(async () => {
  await hub.close();
  publisher.disconnect();
});

describe("watchJob", () => {
  it("does not sleep through a job.finished that arrives while it is looking", async () => {
    const jobId = `job-${randomBytes(4).toString("hex")}`;
    // A second listener tells the test when the hub has delivered the event.
    let delivered!: () => void;
    const deliveredOnce = new Promise<void>((resolve) => (delivered = resolve));
    const stop = await hub.subscribe(jobId, () => delivered());
    let looks = 0;
    try {
      // The poll interval is far beyond the test's timeout: only the event can end this wait.
      const result = await watchJob(hub, jobId, { timeoutMs: 600_000, pollMs: 600_000 }, async () => {
        looks++;
        if (looks > 1) return { final: true, value: "done" };
        // The job closes while this look's (stale) read is in flight.
        await publishJobEvent(publisher, prefix, { type: "job.finished", jobId, status: "succeeded" });
        await deliveredOnce;
        return { final: false, value: "running" };
      });
      expect(result).toEqual({ final: true, value: "done" });
      expect(looks).toBe(2);
    } finally {
      stop();
    }
  }, 10_000);

  it("answers with what job.finished brings, without another look", async () => {
    const jobId = `job-${randomBytes(4).toString("hex")}`;
    let looks = 0;
    const result = await watchJob(hub, jobId, { timeoutMs: 600_000, pollMs: 600_000 }, async () => {
      looks++;
      // The job closes after this look: its event carries the final state.
      setTimeout(() => void publishJobEvent(publisher, prefix, { type: "job.finished", jobId, status: "succeeded", view: { status: "succeeded" } as never }), 10);
      return { final: false, value: "running" };
    }, (event) => ({ final: true, value: `from the event: ${event.view!.status}` }));
    expect(result).toEqual({ final: true, value: "from the event: succeeded" });
    expect(looks).toBe(1);
  }, 10_000);

  it("subscribes in Redis to a job's channel only while someone here listens to it", async () => {
    const jobId = `job-${randomBytes(4).toString("hex")}`;
    const channel = jobChannel(prefix, jobId);
    const subscribers = async () => Number(((await publisher.pubsub("NUMSUB", channel)) as [string, number])[1]);
    expect(await subscribers()).toBe(0);
    const heard: string[] = [];
    const stopFirst = await hub.subscribe(jobId, (event) => heard.push(`first ${event.type}`));
    const stopSecond = await hub.subscribe(jobId, (event) => heard.push(`second ${event.type}`));
    expect(await subscribers()).toBe(1);
    await publishJobEvent(publisher, prefix, { type: "task.running", jobId, service: "alpha", attempt: 1 });
    await eventually(async () => heard.length === 2);
    stopFirst();
    expect(await subscribers()).toBe(1);
    stopSecond();
    await eventually(async () => (await subscribers()) === 0);
    expect(heard.sort()).toEqual(["first task.running", "second task.running"]);
  });

  it("with a listener opened before the job could finish, answers from the event without looking, even one heard before the wait", async () => {
    const jobId = `job-${randomBytes(4).toString("hex")}`;
    const listener = await JobListener.open(hub, jobId);
    expect(listener.confirmed).toBe(true);
    // The job closes before the wait starts (a fast job): the listener has kept the event.
    await publishJobEvent(publisher, prefix, { type: "job.finished", jobId, status: "succeeded", view: { status: "succeeded" } as never });
    await eventually(async () => listener.heard === 1);
    let looks = 0;
    const result = await watchJob(hub, jobId, { timeoutMs: 600_000, pollMs: 600_000, listener }, async () => {
      looks++;
      return { final: false, value: "running" };
    }, (event) => ({ final: true, value: `from the event: ${event.view!.status}` }));
    expect(result).toEqual({ final: true, value: "from the event: succeeded" });
    expect(looks).toBe(0);
    // The wait closed the listener: Redis no longer sends this job's events here.
    const channel = jobChannel(prefix, jobId);
    await eventually(async () => Number(((await publisher.pubsub("NUMSUB", channel)) as [string, number])[1]) === 0);
  }, 10_000);

  it("with an early listener, looks once the deadline passes and answers what it sees", async () => {
    const jobId = `job-${randomBytes(4).toString("hex")}`;
    const listener = await JobListener.open(hub, jobId);
    let looks = 0;
    const result = await watchJob(hub, jobId, { timeoutMs: 50, listener }, async () => {
      looks++;
      return { final: false, value: "running" };
    });
    expect(result).toEqual({ final: false, value: "running" });
    expect(looks).toBe(1);
  }, 10_000);

  it("leaves no listener on the caller's signal however many times it polled", async () => {
    const controller = new AbortController();
    let looks = 0;
    const result = await watchJob(hub, `job-${randomBytes(4).toString("hex")}`, { timeoutMs: 200, pollMs: 10, signal: controller.signal }, async () => {
      looks++;
      return { final: false, value: looks };
    });
    expect(result?.final).toBe(false);
    expect(looks).toBeGreaterThan(3);
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
  }, 10_000);

  it("looks first when Redis did not confirm the early listener (no hub)", async () => {
    const listener = await JobListener.open(null, "z");
    expect(listener.confirmed).toBe(false);
    expect(await watchJob(null, "z", { timeoutMs: 1_000, listener }, async () => ({ final: true, value: 2 }))).toEqual({ final: true, value: 2 });
  });

  it("answers from the first look when the job is already final, and null for no job", async () => {
    expect(await watchJob(hub, "x", { timeoutMs: 1_000 }, async () => ({ final: true, value: 1 }))).toEqual({ final: true, value: 1 });
    expect(await watchJob(hub, "y", { timeoutMs: 1_000 }, async () => null)).toBeNull();
  });
});
