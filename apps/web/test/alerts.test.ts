// Alert rules: a backlog on a paused service fires an alert, the webhook receives it once, and
// it resolves (and the webhook hears so) when the backlog drains. Rule evaluation for error
// rate and a service with no healthy instance.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createOrchestratorContext, createWorkerRedis, evaluateRules, listAlerts, runAlertRound, type ServiceLoad } from "@docgate/orchestrator";
import { runningServiceWorkers } from "../../workers/src/service-worker";
import { SAMPLE_TEXT } from "../../../packages/mcp/test/fixtures";
import { REDIS_URL, eventually, form, startHarness, type Harness } from "./harness";
import { params, request } from "./access-helpers";

let harness: Harness;
let webhook: { server: http.Server; url: string; received: { status: string; rule: string; service: string }[]; failNext: number };

beforeAll(async () => {
  // This file runs its own alert rounds with its own thresholds.
  harness = await startHarness({ healthEveryMs: 0 });
  const received: { status: string; rule: string; service: string }[] = [];
  const state = { failNext: 0 };
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      if (state.failNext > 0) {
        state.failNext--;
        res.writeHead(500).end();
        return;
      }
      received.push(JSON.parse(body));
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  webhook = Object.assign(state, { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, received });
});

afterAll(async () => {
  webhook?.server.close();
  await harness?.stop();
});

describe("alert rounds", () => {
  it("a backlog fires once, reaches the webhook (retried after a failure), and resolves when it drains", async () => {
    const { db } = harness.database;
    const ctx = createOrchestratorContext({ db, redis: createWorkerRedis(REDIS_URL), prefix: harness.prefix });
    const services = await import("~/app/api/v1/services/[name]/route");
    const processRoute = await import("~/app/api/v1/process/route");
    const thresholds = { backlog: 0, errorRate: 0.5, errorRateMinTasks: 1_000 };
    const quality = () => [...runningServiceWorkers].find((w) => w.service === "quality")!;
    try {
      await services.PATCH(request("PATCH", "/api/v1/services/quality", { json: { paused: true } }), params({ name: "quality" }));
      await eventually(async () => quality().settings().worker.paused, 10_000);
      const submitted = await processRoute.POST(request("POST", "/api/v1/process?wait=0", {
        body: form({ document: { bytes: `${SAMPLE_TEXT} ${randomUUID()}`, filename: "backlog.txt" }, services: ["quality"] }),
      }));
      expect(submitted.status).toBe(202);

      webhook.failNext = 1;
      const first = await runAlertRound(ctx, { thresholds, webhookUrl: webhook.url });
      expect(first.fired.map((a) => `${a.rule}:${a.service}`)).toEqual(["backlog:quality"]);
      expect(first.webhookErrors).toHaveLength(1); // the webhook answered 500: kept for the next round
      const second = await runAlertRound(ctx, { thresholds, webhookUrl: webhook.url });
      expect(second.fired).toEqual([]); // still the same firing, not a new one
      expect(second.notified).toBe(1);
      expect(webhook.received).toEqual([expect.objectContaining({ status: "firing", rule: "backlog", service: "quality" })]);
      expect((await listAlerts(ctx)).firing.map((a) => a.rule)).toEqual(["backlog"]);

      await services.PATCH(request("PATCH", "/api/v1/services/quality", { json: { paused: false } }), params({ name: "quality" }));
      const drained = await eventually(async () => {
        const round = await runAlertRound(ctx, { thresholds, webhookUrl: webhook.url });
        return round.resolved.length > 0 && round;
      }, 20_000);
      expect(drained.resolved[0]).toMatchObject({ rule: "backlog", service: "quality" });
      expect(webhook.received.at(-1)).toMatchObject({ status: "resolved", rule: "backlog", service: "quality" });
      expect((await listAlerts(ctx)).firing).toEqual([]);
    } finally {
      await ctx.close();
    }
  });
});

describe("rule evaluation", () => {
  const load = (over: Partial<ServiceLoad>): ServiceLoad => ({
    name: "svc", kind: "builtin", version: "1", status: "up", checkedStatus: "up", statusChangedAt: null, rateLimitPerSecond: null,
    replicasMin: 1, replicasMax: 4, timeoutMs: 30_000, enabled: true, paused: false, concurrency: 4, replicas: 1, autoscale: null,
    tools: [], external: null, instances: [], queue: { waiting: 0, active: 0, delayed: 0, failed: 0, oldestWaitingMs: null },
    window: { tasks: 0, perMinute: 0, errorRate: null, p50Ms: null, p95Ms: null }, lastCheck: null, ...over,
  });
  const firing = (services: ServiceLoad[]) =>
    evaluateRules(services, { backlog: 100, errorRate: 0.2, errorRateMinTasks: 10 }).filter((c) => c.firing).map((c) => `${c.rule}:${c.service}`);

  it("error rate needs enough tasks; a down service has no healthy instance; disabled services are ignored", () => {
    expect(firing([load({ window: { tasks: 5, perMinute: 1, errorRate: 1, p50Ms: 1, p95Ms: 1 } })])).toEqual([]);
    expect(firing([load({ window: { tasks: 50, perMinute: 10, errorRate: 0.5, p50Ms: 1, p95Ms: 1 } })])).toEqual(["error_rate:svc"]);
    expect(firing([load({ status: "down" })])).toEqual(["no_healthy_instance:svc"]);
    expect(firing([load({ queue: { waiting: 101, active: 0, delayed: 0, failed: 0, oldestWaitingMs: 5 } })])).toEqual(["backlog:svc"]);
    expect(firing([load({ status: "down", enabled: false })])).toEqual([]);
  });
});
