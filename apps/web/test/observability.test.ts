// Observability: request ids (echoed, carried into the queued tasks), the shared Prometheus
// families (HTTP requests by route and status, task duration histograms, rate-limit refusals),
// and OpenTelemetry spans sent to an OTLP/HTTP endpoint started here.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey } from "@docgate/db";
import { createOrchestratorContext, createWorkerRedis, flushTracing, serviceQueueName, stopTracing, taskJobId } from "@docgate/orchestrator";
import { SAMPLE_TEXT } from "../../../packages/mcp/test/fixtures";
import { REDIS_URL, eventually, form, startHarness, type Harness } from "./harness";
import { params, request } from "./access-helpers";

let harness: Harness;
let collector: { server: http.Server; spans: { name: string; traceId: string; service: string; attributes: Record<string, unknown> }[] };
let processRoute: typeof import("~/app/api/v1/process/route");
let metricsRoute: typeof import("~/app/api/metrics/route");

beforeAll(async () => {
  // An OTLP/HTTP (JSON) trace collector; set before the first request starts tracing.
  const spans: { name: string; traceId: string; service: string; attributes: Record<string, unknown> }[] = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      type Attr = { key: string; value: Record<string, unknown> };
      const payload = JSON.parse(body) as { resourceSpans: { resource: { attributes: Attr[] }; scopeSpans: { spans: { name: string; traceId: string; attributes: Attr[] }[] }[] }[] };
      for (const rs of payload.resourceSpans ?? []) {
        const service = String(Object.values(rs.resource.attributes.find((a) => a.key === "service.name")?.value ?? {})[0] ?? "");
        for (const ss of rs.scopeSpans) {
          for (const span of ss.spans) {
            spans.push({ name: span.name, traceId: span.traceId, service, attributes: Object.fromEntries(span.attributes.map((a) => [a.key, Object.values(a.value)[0]])) });
          }
        }
      }
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  collector = { server, spans };
  process.env.OTEL_EXPORTER_OTLP_ENDPOINT = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  harness = await startHarness();
  processRoute = await import("~/app/api/v1/process/route");
  metricsRoute = await import("~/app/api/metrics/route");
});

afterAll(async () => {
  await stopTracing();
  delete process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
  collector?.server.close();
  await harness?.stop();
});

const submit = (requestId?: string, key?: string) =>
  processRoute.POST(request("POST", "/api/v1/process?wait=20", {
    key,
    headers: requestId ? { "x-request-id": requestId } : {},
    body: form({ document: { bytes: `${SAMPLE_TEXT} ${randomUUID()}`, filename: "observed.txt" }, services: ["quality"] }),
  }));
const scrape = async () => (await metricsRoute.GET(request("GET", "/api/metrics"), params())).text();

describe("request ids", () => {
  it("echoes the caller's X-Request-Id, makes one otherwise, and carries it into the queued task", async () => {
    const given = `req-${randomUUID()}`;
    const response = await submit(given);
    expect(response.status).toBe(200);
    expect(response.headers.get("x-request-id")).toBe(given);
    const job = (await response.json()) as { id: string };
    const task = await harness.database.db.jobTask.findFirstOrThrow({ where: { jobId: job.id } });
    const ctx = createOrchestratorContext({ db: harness.database.db, redis: createWorkerRedis(REDIS_URL), prefix: harness.prefix });
    try {
      const queued = await ctx.queue(serviceQueueName("quality")).getJob(taskJobId(task.id));
      expect((queued?.data as { requestId?: string }).requestId).toBe(given);
    } finally {
      await ctx.close();
    }

    const generated = (await submit("bad id with spaces")).headers.get("x-request-id");
    expect(generated).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe("/api/metrics", () => {
  it("counts requests by route and status, refusals, and task durations as histograms (shared through Redis)", async () => {
    const limited = (await createApiKey(harness.database.db, { name: "one per minute", role: "operator", rateLimitPerMinute: 1 })).secret;
    expect((await submit(undefined, limited)).status).toBe(200);
    expect((await submit(undefined, limited)).status).toBe(429);
    const text = await eventually(async () => {
      const body = await scrape();
      return body.includes('docgate_rate_limit_refusals_total{route="/api/v1/process"}') &&
        /docgate_task_duration_seconds_bucket\{le="\+Inf",outcome="succeeded",service="quality"\} [1-9]/.test(body) && body;
    }, 15_000);
    expect(text).toMatch(/docgate_http_requests_total\{method="POST",route="\/api\/v1\/process",status="200"\} [1-9]/);
    expect(text).toMatch(/# TYPE docgate_http_request_duration_seconds histogram/);
    expect(text).toMatch(/docgate_task_duration_seconds_count\{outcome="succeeded",service="quality"\} [1-9]/);
    expect(text).toContain("docgate_web_process_resident_memory_bytes");
    // Buckets of one series come in increasing order, +Inf last.
    const les = [...text.matchAll(/docgate_task_duration_seconds_bucket\{le="([^"]+)",outcome="succeeded",service="quality"\}/g)].map((m) => m[1]);
    expect(les.at(-1)).toBe("+Inf");
    expect(les.slice(0, -1).map(Number)).toEqual([...les.slice(0, -1).map(Number)].sort((a, b) => a - b));
  });
});

describe("tracing", () => {
  it("sends a span per API request to the configured OTLP endpoint, and the worker's task span joins its trace", async () => {
    const requestId = `trace-${randomUUID()}`;
    const job = (await (await submit(requestId)).json()) as { id: string };
    const span = await eventually(async () => {
      await flushTracing();
      return collector.spans.find((s) => s.attributes["docgate.request_id"] === requestId);
    }, 10_000);
    expect(span).toMatchObject({ name: "POST /api/v1/process", service: "docgate-web" });
    expect(span.attributes["http.response.status_code"]).toBe(200);
    const task = await eventually(async () => {
      await flushTracing();
      return collector.spans.find((s) => s.attributes["docgate.job_id"] === job.id);
    }, 10_000);
    expect(task).toMatchObject({ name: "task quality", traceId: span.traceId });
  });
});

describe("route labels", () => {
  it("fold ids and unknown paths so clients cannot grow the label set", async () => {
    const { routeLabel } = await import("~/server/observe");
    expect(routeLabel("/api/v1/jobs/0192-abc/events")).toBe("/api/v1/jobs/:id/events");
    expect(routeLabel("/api/v1/taxonomies/genre/labels/anything-at-all/rules")).toBe("/api/v1/taxonomies/:id/labels/:id/rules");
    expect(routeLabel("/api/v1/no-such-thing/1/2")).toBe("/api/v1/other");
    expect(routeLabel("/api/whatever")).toBe("/api/other");
    expect(routeLabel("/api/health")).toBe("/api/health");
    expect(routeLabel("/api/trpc/job.list,service.list")).toBe("/api/trpc");
  });
});
