// Service registry admin: listing, live capacity changes (stored, audited, applied by the
// running workers within seconds), pause/resume with real work, and the permission check.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey } from "@docgate/db";
import { runningServiceWorkers } from "../../workers/src/service-worker";
import { startSystemWorkers } from "../../workers/src/system-worker";
import { SAMPLE_TEXT } from "../../../packages/mcp/test/fixtures";
import { REDIS_URL, eventually, form, startHarness, type Harness } from "./harness";
import { expectError, params, request } from "./access-helpers";

let harness: Harness;
let services: typeof import("~/app/api/v1/services/route");
let service: typeof import("~/app/api/v1/services/[name]/route");
let processRoute: typeof import("~/app/api/v1/process/route");
let jobRoute: typeof import("~/app/api/v1/jobs/[id]/route");

type ServiceJson = {
  name: string; kind: string; status: string; enabled: boolean; paused: boolean; concurrency: number; replicas: number;
  instances: { id: string; concurrency: number; heartbeatAt: string }[]; tools: { name: string }[]; rateLimitPerSecond: number | null;
};

beforeAll(async () => {
  harness = await startHarness();
  services = await import("~/app/api/v1/services/route");
  service = await import("~/app/api/v1/services/[name]/route");
  processRoute = await import("~/app/api/v1/process/route");
  jobRoute = await import("~/app/api/v1/jobs/[id]/route");
});

afterAll(async () => {
  await harness?.stop();
});

const list = async () => (await (await services.GET(request("GET", "/api/v1/services"), params())).json()) as ServiceJson[];
const patch = (name: string, json: unknown, key?: string) =>
  service.PATCH(request("PATCH", `/api/v1/services/${name}`, { json, key }), params({ name }));
const worker = (name: string) => [...runningServiceWorkers].find((w) => w.service === name)!;

describe("GET /api/v1/services", () => {
  it("lists every built-in service with status, settings, live instances and tools", async () => {
    const body = await list();
    const names = body.map((s) => s.name);
    expect(names).toEqual(expect.arrayContaining(["classification", "quality"]));
    for (const s of body.filter((x) => x.kind === "builtin")) {
      expect(s).toMatchObject({ status: "up", enabled: true, paused: false });
      expect(s.concurrency).toBeGreaterThan(0);
      expect(s.replicas).toBeGreaterThanOrEqual(1);
      expect(s.instances.length).toBeGreaterThanOrEqual(1);
      expect(s.tools.length).toBeGreaterThan(0);
    }
  });

  it("is for admins only", async () => {
    const operator = (await createApiKey(harness.database.db, { name: "svc operator", role: "operator" })).secret;
    await expectError(await services.GET(request("GET", "/api/v1/services", { key: operator }), params()), 403);
    await expectError(await patch("quality", { concurrency: 2 }, operator), 403);
    await expectError(await services.GET(request("GET", "/api/v1/services", { key: null }), params()), 401);
  });
});

describe("PATCH /api/v1/services/{name}", () => {
  it("rejects bad input and unknown services", async () => {
    await expectError(await patch("quality", { concurrency: 0 }), 400);
    await expectError(await patch("quality", {}), 400);
    await expectError(await patch("quality", { bogus: 1 }), 400);
    await expectError(await patch("no-such-service", { concurrency: 2 }), 404, "service_not_found");
  });

  it("sets and clears an autoscaling policy (validated, audited as service.autoscale)", async () => {
    await expectError(await patch("quality", { autoscale: { maxReplicas: 0 } }), 400);
    const set = await patch("quality", { autoscale: { minReplicas: 1, maxReplicas: 2, targetWaitMs: 2_000 } });
    expect(set.status).toBe(200);
    expect(((await set.json()) as { autoscale: unknown }).autoscale).toMatchObject({ minReplicas: 1, maxReplicas: 2, targetWaitMs: 2_000, cooldownMs: 60_000 });
    const cleared = await patch("quality", { autoscale: null });
    expect(((await cleared.json()) as { autoscale: unknown }).autoscale).toBeNull();
    const actions = (await harness.database.db.auditLog.findMany({ where: { target: "quality", action: "service.autoscale" } }));
    expect(actions).toHaveLength(2);
  });

  it("stores, audits and applies a concurrency and rate-limit change live", async () => {
    const response = await patch("classification", { concurrency: 7, rateLimitPerSecond: 50 });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ name: "classification", concurrency: 7, rateLimitPerSecond: 50 });

    const { db } = harness.database;
    const row = await db.service.findUniqueOrThrow({ where: { name: "classification" } });
    expect(row).toMatchObject({ concurrency: 7, rateLimitPerSecond: 50 });
    const audit = await db.auditLog.findMany({ where: { target: "classification" }, orderBy: { id: "asc" } });
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(["service.scale", "service.rate_limit"]));
    expect(audit[0]?.actorType).toBe("api_key");
    const event = await db.scalingEvent.findFirstOrThrow({ where: { serviceName: "classification" }, orderBy: { at: "desc" } });
    expect(event.reason).toBe("manual");
    expect(event.change).toMatchObject({ to: { concurrency: 7, rateLimitPerSecond: 50 } });

    // The running worker applies it (Redis message) and reports it on its instance.
    await eventually(async () => worker("classification").settings().worker.concurrency === 7, 10_000);
    await eventually(async () => (await list()).find((s) => s.name === "classification")?.instances.every((i) => i.concurrency === 7), 10_000);
  });

  it("pauses (queued work waits) and resumes (it runs), audited as service.pause / service.resume", async () => {
    expect((await patch("quality", { paused: true })).status).toBe(200);
    await eventually(async () => worker("quality").settings().worker.paused, 10_000);

    const submitted = await processRoute.POST(request("POST", "/api/v1/process?wait=0", {
      body: form({ document: { bytes: `${SAMPLE_TEXT} ${randomUUID()}`, filename: "paused.txt" }, services: ["quality"] }),
    }));
    expect(submitted.status).toBe(202);
    const { id } = (await submitted.json()) as { id: string };
    const status = async () => ((await (await jobRoute.GET(request("GET", `/api/v1/jobs/${id}`), params({ id }))).json()) as { status: string }).status;
    // While paused the task is not taken (checked a few times over about a second).
    for (let i = 0; i < 5; i++) {
      expect(await status()).toBe("queued");
      await new Promise((r) => setTimeout(r, 200));
    }
    expect((await list()).find((s) => s.name === "quality")?.paused).toBe(true);

    expect((await patch("quality", { paused: false })).status).toBe(200);
    await eventually(async () => (await status()) === "succeeded", 20_000);

    const actions = (await harness.database.db.auditLog.findMany({ where: { target: "quality" } })).map((a) => a.action);
    expect(actions).toEqual(expect.arrayContaining(["service.pause", "service.resume"]));
  });

  it("a rate limit spreads the service's tasks over time (measured), and clearing it lifts it", async () => {
    expect((await patch("quality", { rateLimitPerSecond: 2 })).status).toBe(200);
    await eventually(async () => worker("quality").settings().worker.limiter?.max === 2, 10_000);
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      const submitted = await processRoute.POST(request("POST", "/api/v1/process?wait=0", {
        body: form({ document: { bytes: `${SAMPLE_TEXT} ${randomUUID()}`, filename: `limited-${i}.txt` }, services: ["quality"] }),
      }));
      ids.push(((await submitted.json()) as { id: string }).id);
    }
    const { db } = harness.database;
    const tasks = await eventually(async () => {
      const rows = await db.jobTask.findMany({ where: { jobId: { in: ids } } });
      return rows.length === 6 && rows.every((t) => t.status === "succeeded") && rows;
    }, 30_000);
    const started = tasks.map((t) => t.startedAt!.getTime()).sort((a, b) => a - b);
    // 6 tasks at 2 per second take at least three one-second windows.
    expect(started.at(-1)! - started[0]!).toBeGreaterThanOrEqual(1_500);

    expect((await patch("quality", { rateLimitPerSecond: null })).status).toBe(200);
    await eventually(async () => worker("quality").settings().worker.limiter === null, 10_000);
  });

  it("workers pick up a change made behind their back by re-reading the row", async () => {
    await harness.database.db.service.update({ where: { name: "quality" }, data: { concurrency: 3 } });
    await eventually(async () => worker("quality").settings().worker.concurrency === 3, 10_000);
  });
});

describe("console (tRPC service.*)", () => {
  it("everyone signed in sees loads and scaling events; only admins change settings, audited as the user", async () => {
    const { appRouter } = await import("~/server/trpc/root");
    const { serverContext } = await import("~/server/context");
    const admin = await harness.database.db.user.findUniqueOrThrow({ where: { email: "admin@test.local" } });
    const caller = (role: "viewer" | "operator" | "admin") =>
      appRouter.createCaller({ ...serverContext(), meta: { ip: "127.0.0.1", userAgent: "vitest", method: "POST", path: "/api/trpc" }, user: { id: role === "admin" ? admin.id : `u-${role}`, email: `${role}@t.local`, role } });

    const loads = await caller("viewer").service.list();
    const quality = loads.find((s) => s.name === "quality")!;
    expect(quality.queue).toMatchObject({ waiting: expect.any(Number), active: expect.any(Number), delayed: expect.any(Number), failed: expect.any(Number) });
    expect(quality.window.tasks).toBeGreaterThanOrEqual(1); // the pause test's task
    expect(quality.window.p95Ms).not.toBeNull();
    expect(quality.window.errorRate).toBe(0);

    for (const role of ["viewer", "operator"] as const) {
      await expect(caller(role).service.update({ name: "quality", patch: { concurrency: 2 } })).rejects.toMatchObject({ code: "FORBIDDEN" });
    }
    await caller("admin").service.update({ name: "quality", patch: { concurrency: 2 } });
    await eventually(async () => worker("quality").settings().worker.concurrency === 2, 10_000);
    const audit = await harness.database.db.auditLog.findFirstOrThrow({ where: { target: "quality", action: "service.scale" }, orderBy: { id: "desc" } });
    expect(audit).toMatchObject({ actorType: "user", actorId: admin.id, ip: "127.0.0.1" });
    const events = await caller("operator").service.events({ service: "quality" });
    expect(events[0]).toMatchObject({ service: "quality", reason: "manual", actorId: admin.id, change: { to: { concurrency: 2 } } });
  });
});

describe("GET /api/metrics", () => {
  it("exposes task outcomes, latency summaries, queue depths, instances and health in Prometheus text format", async () => {
    const metrics = await import("~/app/api/metrics/route");
    const scrape = async () => {
      const response = await metrics.GET(request("GET", "/api/metrics"), params());
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
      return response.text();
    };
    // The pause test ran a quality task; its ToolCallMetric row is flushed within a second.
    const text = await eventually(async () => {
      const body = await scrape();
      return /docgate_tool_call_duration_ms\{service="quality",source="task",quantile="0\.95"\} \d+/.test(body) && body;
    }, 10_000);
    expect(text).toMatch(/^# TYPE docgate_tasks gauge$/m);
    expect(text).toMatch(/^docgate_tasks\{service="quality",status="succeeded"\} [1-9]\d*$/m);
    expect(text).toMatch(/^docgate_tool_call_duration_ms_count\{service="quality",source="task"\} [1-9]\d*$/m);
    expect(text).toMatch(/^docgate_queue_jobs\{service="classification",state="waiting"\} \d+$/m);
    expect(text).toMatch(/^docgate_service_instances\{service="quality"\} 1$/m);
    expect(text).toMatch(/^docgate_service_status\{service="quality",status="up"\} 1$/m);
    // Every line but comments and blank lines (both allowed) is `name{labels} number`.
    for (const line of text.trim().split("\n").filter((l) => l && !l.startsWith("#"))) expect(line).toMatch(/^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[^}]*\})? -?[\d.]+(e[+-]?\d+)?$|NaN$/);

    const viewer = (await createApiKey(harness.database.db, { name: "svc viewer", role: "viewer" })).secret;
    await expectError(await metrics.GET(request("GET", "/api/metrics", { key: viewer }), params()), 403);
  });
});

describe("health checker (runs last: it stops a worker)", () => {
  it("pings each service through its queue on a short interval, records history and status, and sees a stopped worker go down", async () => {
    const { db } = harness.database;
    const checker = await startSystemWorkers({ db, redisUrl: REDIS_URL, prefix: harness.prefix, reconcileEveryMs: 60_000, healthEveryMs: 300 });
    try {
      const checks = await eventually(async () => {
        const rows = await db.healthCheck.findMany({ where: { status: "up" } });
        const names = new Set(rows.map((r) => r.serviceName));
        return names.has("classification") && names.has("quality") && rows;
      }, 15_000);
      expect(checks.every((c) => typeof c.latencyMs === "number" && c.latencyMs >= 0)).toBe(true);
      // Instances without a heartbeat for 30 s are not live; after a few minutes the checker forgets them.
      const stale = { serviceName: "classification", host: "gone", version: "0", concurrency: 1 };
      await db.serviceInstance.createMany({ data: [
        { ...stale, id: "stale-31s", pid: 1, heartbeatAt: new Date(Date.now() - 31_000) },
        { ...stale, id: "stale-6min", pid: 2, heartbeatAt: new Date(Date.now() - 6 * 60_000) },
      ] });
      expect((await list()).find((s) => s.name === "classification")?.instances.map((i) => i.id)).not.toContain("stale-31s");
      await eventually(async () => !(await db.serviceInstance.findUnique({ where: { id: "stale-6min" } })), 10_000);
      expect(await db.serviceInstance.findUnique({ where: { id: "stale-31s" } })).not.toBeNull();

      const quality = await db.service.findUniqueOrThrow({ where: { name: "quality" } });
      expect(quality.status).toBe("up");
      expect(quality.statusChangedAt).toBeTruthy();

      // The quality worker stops (and deregisters): the next checks say down, and so does the list.
      await worker("quality").close();
      await eventually(async () => (await db.service.findUniqueOrThrow({ where: { name: "quality" } })).status === "down", 15_000);
      const last = await db.healthCheck.findFirstOrThrow({ where: { serviceName: "quality" }, orderBy: { checkedAt: "desc" } });
      expect(last).toMatchObject({ status: "down", latencyMs: null });
      expect(last.message).toMatch(/No live worker/);
      expect((await list()).find((s) => s.name === "quality")?.status).toBe("down");
      expect((await list()).find((s) => s.name === "classification")?.status).toBe("up");
    } finally {
      await checker.close();
    }
  });
});
