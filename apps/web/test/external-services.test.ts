// External MCP servers: a real SDK server over Streamable HTTP started here, registered through
// the admin API (allowlist, token), its tools listed, used in a job, then stopped: the health
// check sees it down, the circuit breaker opens and answers fast, and it recovers half-open.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { z } from "zod";
import { ExternalClients, ToolCallReplies, callServiceTool, createOrchestratorContext, createWorkerRedis, runHealthChecks } from "@docgate/orchestrator";
import { startServiceWorker, type ServiceWorkerHandle } from "../../workers/src/service-worker";
import { BOOTSTRAP_KEY, REDIS_URL, eventually, form, startHarness, type Harness } from "./harness";
import { expectError, params, request } from "./access-helpers";

const TOKEN = `ext-${randomUUID()}`;
/** Calls of the slow tool running right now, and the most seen at once. */
const slow = { inFlight: 0, max: 0 };

/** A small MCP server with a token check: counts the words of the text it is given. */
function startWordCounter(port = 0): Promise<{ server: http.Server; port: number; calls: { authorization?: string }[] }> {
  const calls: { authorization?: string }[] = [];
  const server = http.createServer(async (req, res) => {
    calls.push({ authorization: req.headers.authorization });
    if (req.headers.authorization !== `Bearer ${TOKEN}`) {
      res.writeHead(401, { "content-type": "application/json" }).end(JSON.stringify({ error: "unauthorized" }));
      return;
    }
    // Stateless: a fresh server and transport per request.
    const mcp = new McpServer({ name: "word-counter", version: "1.2.3" });
    mcp.registerTool(
      "count_words",
      { description: "Counts words.", inputSchema: { text: z.string() }, outputSchema: { words: z.number(), first: z.string() } },
      async ({ text }) => {
        const words = text.split(/\s+/).filter(Boolean);
        const output = { words: words.length, first: words[0] ?? "" };
        return { content: [{ type: "text", text: JSON.stringify(output) }], structuredContent: output };
      },
    );
    mcp.registerTool("slow_count", { description: "Counts words, slowly.", inputSchema: { text: z.string() } }, async ({ text }) => {
      slow.inFlight++;
      slow.max = Math.max(slow.max, slow.inFlight);
      await new Promise((r) => setTimeout(r, 500));
      slow.inFlight--;
      return { content: [{ type: "text", text: String(text.split(/\s+/).length) }], structuredContent: { words: text.split(/\s+/).length } };
    });
    mcp.registerTool("describe", {
      description: "Describes a document given as an embedded resource or a resource link.",
      inputSchema: { document: z.object({ type: z.string(), uri: z.string().optional(), mimeType: z.string().optional(), resource: z.object({ uri: z.string(), mimeType: z.string(), blob: z.string() }).optional() }) },
    }, async ({ document }) => {
      const bytes = document.resource ? Buffer.from(document.resource.blob, "base64") : null;
      const output = { type: document.type, uri: document.uri ?? document.resource?.uri ?? "", mimeType: document.mimeType ?? document.resource?.mimeType ?? "", text: bytes?.toString("utf8") ?? "" };
      return { content: [{ type: "text", text: JSON.stringify(output) }], structuredContent: output };
    });
    mcp.registerTool("refuse", { description: "Always fails.", inputSchema: { text: z.string() } }, async () => ({
      isError: true, content: [{ type: "text", text: "I refuse." }],
    }));
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    res.on("close", () => void transport.close());
    await mcp.connect(transport);
    await transport.handleRequest(req, res);
  });
  return new Promise((resolve) => server.listen(port, "127.0.0.1", () => resolve({ server, port: (server.address() as AddressInfo).port, calls })));
}

let harness: Harness;
let counter: Awaited<ReturnType<typeof startWordCounter>>;
let worker: ServiceWorkerHandle | undefined;
let services: typeof import("~/app/api/v1/services/route");
let service: typeof import("~/app/api/v1/services/[name]/route");
let processRoute: typeof import("~/app/api/v1/process/route");

type ServiceJson = {
  name: string; kind: string; status: string; tools: { name: string }[];
  external: { url: string; tool: string; documentArgument: string; hasToken: boolean; breaker: { state: string } } | null;
};
type JobJson = { id: string; status: string; results: Record<string, { status: string; output: Record<string, unknown> | null; error: { code: string; message: string } | null }> };

const register = (json: unknown, key?: string) => services.POST(request("POST", "/api/v1/services", { json, key }), params());
const view = async (name: string) => (await (await service.GET(request("GET", `/api/v1/services/${name}`), params({ name }))).json()) as ServiceJson;
const run = async (text: string, serviceName = "wordcount") => {
  const response = await processRoute.POST(request("POST", "/api/v1/process?wait=20", {
    body: form({ document: { bytes: text, filename: "words.txt" }, services: [serviceName] }),
  }));
  expect(response.status).toBe(200);
  return (await response.json()) as JobJson;
};

beforeAll(async () => {
  // Health rounds are run by the tests themselves (a background round could open the breaker mid-test).
  harness = await startHarness({ healthEveryMs: 0 });
  counter = await startWordCounter();
  process.env.DOCGATE_EXTERNAL_HOSTS = `localhost:1, 127.0.0.1:${counter.port}`;
  services = await import("~/app/api/v1/services/route");
  service = await import("~/app/api/v1/services/[name]/route");
  processRoute = await import("~/app/api/v1/process/route");
});

afterAll(async () => {
  await worker?.close();
  counter?.server.close();
  await harness?.stop();
  delete process.env.DOCGATE_EXTERNAL_HOSTS;
});

describe("registering an external MCP server", () => {
  it("refuses hosts off the allowlist, bad input, an unreachable server and a wrong token, writing nothing", async () => {
    await expectError(await register({ name: "elsewhere", url: "http://10.0.0.1:8080/mcp" }), 400, "host_not_allowed");
    await expectError(await register({ name: "otherport", url: `http://127.0.0.1:${counter.port + 1}/mcp` }), 400, "host_not_allowed");
    await expectError(await register({ name: "ok-name", url: `ftp://127.0.0.1:${counter.port}/` }), 400, "invalid_url");
    await expectError(await register({ name: "ok-name", url: `http://127.0.0.1:${counter.port}/mcp?api_key=secret` }), 400, "invalid_url");
    await expectError(await register({ name: "Has.Dots", url: `http://127.0.0.1:${counter.port}/mcp` }), 400);
    await expectError(await register({ name: "wordcount", url: `http://127.0.0.1:${counter.port}/mcp`, token: "wrong" }), 400, "service_unreachable");
    await expectError(await register({ name: "classification", url: `http://127.0.0.1:${counter.port}/mcp`, token: TOKEN }), 409, "service_exists");
    expect(await harness.database.db.service.count({ where: { kind: "external" } })).toBe(0);
  });

  it("is for admins only", async () => {
    const { createApiKey } = await import("@docgate/db");
    const operator = (await createApiKey(harness.database.db, { name: "ext operator", role: "operator" })).secret;
    await expectError(await register({ name: "wordcount", url: `http://127.0.0.1:${counter.port}/mcp`, token: TOKEN }, operator), 403);
  });

  it("lists the server's tools, picks the tool jobs call, keeps the token secret, and audits it", async () => {
    const response = await register({ name: "wordcount", url: `http://127.0.0.1:${counter.port}/mcp`, token: TOKEN });
    expect(response.status).toBe(201);
    const body = (await response.json()) as ServiceJson;
    expect(body).toMatchObject({ name: "wordcount", kind: "external", external: { tool: "count_words", documentArgument: "text", hasToken: true } });
    expect(body.tools.map((t) => t.name).sort()).toEqual(["count_words", "describe", "refuse", "slow_count"]);
    expect(JSON.stringify(body)).not.toContain(TOKEN);
    const audit = await harness.database.db.auditLog.findFirstOrThrow({ where: { action: "service.register", target: "wordcount" } });
    expect(JSON.stringify(audit.metadata)).not.toContain(TOKEN);
    expect(counter.calls.every((c) => c.authorization === `Bearer ${TOKEN}` || c.authorization === "Bearer wrong")).toBe(true);
  });
});

describe("using an external service", () => {
  it("runs a job's task through the server's tool with the extracted text, carrying the token", async () => {
    worker = await startServiceWorker({ db: harness.database.db, redisUrl: REDIS_URL, prefix: harness.prefix, service: "wordcount", settingsEveryMs: 200 });
    const before = counter.calls.length;
    const job = await run(`alpha beta gamma delta ${randomUUID()}`);
    expect(job.status).toBe("succeeded");
    expect(job.results.wordcount).toMatchObject({ status: "succeeded", output: { words: 5, first: "alpha" } });
    expect(counter.calls.slice(before).every((c) => c.authorization === `Bearer ${TOKEN}`)).toBe(true);
    expect((await view("wordcount")).status).toBe("up");
  });

  it("its tools are on the MCP gateway as `<service>.<tool>` and answer through the worker", async () => {
    const { POST, GET, DELETE } = await import("~/app/api/mcp/route");
    const { serveFetchHandler } = await import("~/server/mcp/node-http");
    const { resetMcpRuntime } = await import("~/server/mcp/runtime");
    (await import("~/server/mcp/catalog")).invalidateCatalog();
    const gateway = await serveFetchHandler((r: Request) => (r.method === "GET" ? GET(r) : r.method === "DELETE" ? DELETE(r) : POST(r)));
    const client = new Client({ name: "external-test", version: "1.0.0" });
    try {
      await client.connect(new StreamableHTTPClientTransport(new URL(`${gateway.url}/api/mcp`), {
        requestInit: { headers: { authorization: `Bearer ${BOOTSTRAP_KEY}` } },
      }));
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name)).toEqual(expect.arrayContaining(["wordcount.count_words", "wordcount.refuse"]));
      const result = await client.callTool({ name: "wordcount.count_words", arguments: { text: "one two three four" } });
      expect(result.isError).toBeFalsy();
      expect(result.structuredContent).toMatchObject({ words: 4, first: "one" });
    } finally {
      await client.close();
      await gateway.close();
      await resetMcpRuntime();
    }
  });

  it("direct calls share the service's rate limit with its tasks (measured)", async () => {
    const { db } = harness.database;
    const ctx = createOrchestratorContext({ db, redis: createWorkerRedis(REDIS_URL), prefix: harness.prefix });
    const replies = new ToolCallReplies(createWorkerRedis(REDIS_URL), harness.prefix);
    const patch = (json: unknown) => service.PATCH(request("PATCH", "/api/v1/services/wordcount", { json }), params({ name: "wordcount" }));
    try {
      expect((await patch({ rateLimitPerSecond: 2 })).status).toBe(200);
      await eventually(async () => worker!.settings().rateLimitPerSecond === 2, 10_000);
      const started = Date.now();
      const answers = await Promise.all(Array.from({ length: 6 }, (_, i) =>
        callServiceTool(ctx, replies, { service: "wordcount", tool: "count_words", arguments: { text: `call ${i}` }, timeoutMs: 15_000 })));
      // 6 calls at 2 per second need at least two more windows after the first.
      expect(Date.now() - started).toBeGreaterThanOrEqual(1_500);
      expect(answers.every((a) => (a.structuredContent as { words: number }).words === 2)).toBe(true);
    } finally {
      await patch({ rateLimitPerSecond: null });
      await replies.close();
      await ctx.close();
    }
  });

  it("a tool's own error fails the task with that message (no retries, breaker untouched)", async () => {
    const { db } = harness.database;
    const { invalidateCatalog } = await import("~/server/mcp/catalog");
    // The tool a task calls is fixed when the job is accepted (from the gateway's catalog).
    await db.service.update({ where: { name: "wordcount" }, data: { tool: "refuse" } });
    invalidateCatalog();
    const job = await run(`refuse me ${randomUUID()}`);
    expect(job.results.wordcount).toMatchObject({ status: "failed", attempts: 1, error: { code: "tool_error", message: "I refuse." } });
    await db.service.update({ where: { name: "wordcount" }, data: { tool: "count_words" } });
    invalidateCatalog();
    expect((await view("wordcount")).external?.breaker.state).toBe("closed");
  });

  it("stopped: the health check marks it down, the breaker opens and jobs fail fast; half-open, one success closes it", async () => {
    const { db } = harness.database;
    const ctx = createOrchestratorContext({ db, redis: createWorkerRedis(REDIS_URL), prefix: harness.prefix });
    const replies = new ToolCallReplies(createWorkerRedis(REDIS_URL), harness.prefix);
    const clients = new ExternalClients();
    try {
      await new Promise<void>((resolve) => {
        counter.server.close(() => resolve());
        counter.server.closeAllConnections();
      });
      const results = await runHealthChecks(ctx, replies, { external: clients, timeoutMs: 2_000 });
      expect(results.find((r) => r.service === "wordcount")).toMatchObject({ status: "down" });
      const down = await view("wordcount");
      expect(down.status).toBe("down");
      expect(down.external?.breaker.state).toBe("open");

      // The worker learns the breaker state from the row and refuses without calling out.
      await eventually(async () => Boolean(worker!.settings().breakerOpenUntil), 5_000);
      const started = Date.now();
      const job = await run(`fast failure ${randomUUID()}`);
      expect(job.status).toBe("failed");
      expect(job.results.wordcount?.error?.code).toBe("service_unavailable");
      expect(Date.now() - started).toBeLessThan(5_000);

      // The server comes back; once the open period is over (moved here to the past) the next call is the probe.
      counter = await startWordCounter(counter.port);
      await db.service.update({ where: { name: "wordcount" }, data: { breakerOpenUntil: new Date(Date.now() - 1) } });
      await eventually(async () => worker!.settings().breakerOpenUntil !== null && worker!.settings().breakerOpenUntil!.getTime() < Date.now(), 5_000);
      const recovered = await run(`one two ${randomUUID()}`);
      expect(recovered.results.wordcount).toMatchObject({ status: "succeeded", output: { words: 3 } });
      expect((await view("wordcount")).external?.breaker.state).toBe("closed");
      const healthy = await runHealthChecks(ctx, replies, { external: clients, timeoutMs: 2_000 });
      expect(healthy.find((r) => r.service === "wordcount")?.status).toBe("up");
    } finally {
      await clients.close();
      await replies.close();
      await ctx.close();
    }
  });
});

describe("document mappings", () => {
  it("content sends the original bytes as an embedded resource; resource_link sends a link to them", async () => {
    const { db } = harness.database;
    for (const mapping of ["content", "resource_link"] as const) {
      const name = `describe-${mapping.replace("_", "")}`;
      const created = await register({ name, url: `http://127.0.0.1:${counter.port}/mcp`, token: TOKEN, tool: "describe", documentMapping: mapping });
      expect(created.status).toBe(201);
      expect(((await created.json()) as ServiceJson).external).toMatchObject({ tool: "describe", documentArgument: "document" });
      const w = await startServiceWorker({ db, redisUrl: REDIS_URL, prefix: harness.prefix, service: name });
      try {
        const text = `Original bytes ${randomUUID()}`;
        const job = await run(text, name);
        const output = job.results[name]?.output as { type: string; uri: string; mimeType: string; text: string };
        expect(output.uri).toMatch(new RegExp(`/api/v1/documents/[0-9a-f-]+/content$`));
        expect(output.mimeType).toBe("text/plain");
        if (mapping === "content") expect(output).toMatchObject({ type: "resource", text });
        else expect(output).toMatchObject({ type: "resource_link", text: "" });
      } finally {
        await w.close();
      }
    }
  });
});

describe("concurrency, measured", () => {
  it("a concurrency change changes how many tasks run at once", async () => {
    const created = await register({ name: "slowcount", url: `http://127.0.0.1:${counter.port}/mcp`, token: TOKEN, tool: "slow_count" });
    expect(created.status).toBe(201);
    const { db } = harness.database;
    const slowWorker = await startServiceWorker({ db, redisUrl: REDIS_URL, prefix: harness.prefix, service: "slowcount", settingsEveryMs: 200 });
    const setConcurrency = async (n: number) => {
      const res = await service.PATCH(request("PATCH", "/api/v1/services/slowcount", { json: { concurrency: n } }), params({ name: "slowcount" }));
      expect(res.status).toBe(200);
      await eventually(async () => slowWorker.settings().worker.concurrency === n, 10_000);
    };
    const burst = async (n: number) => {
      slow.max = 0;
      const ids: string[] = [];
      for (let i = 0; i < n; i++) {
        const res = await processRoute.POST(request("POST", "/api/v1/process?wait=0", {
          body: form({ document: { bytes: `slow ${i} ${randomUUID()}`, filename: "slow.txt" }, services: ["slowcount"] }),
        }));
        ids.push(((await res.json()) as { id: string }).id);
      }
      await eventually(async () => (await db.job.count({ where: { id: { in: ids }, status: "succeeded" } })) === n, 30_000);
      return slow.max;
    };
    try {
      await setConcurrency(1);
      expect(await burst(4)).toBe(1);
      await setConcurrency(4);
      const atFour = await burst(8);
      expect(atFour).toBeGreaterThanOrEqual(2);
      expect(atFour).toBeLessThanOrEqual(4);
    } finally {
      await slowWorker.close();
      await service.PATCH(request("PATCH", "/api/v1/services/slowcount", { json: { enabled: false } }), params({ name: "slowcount" }));
    }
  });
});

describe("removing an external service", () => {
  it("refuses built-ins and enabled services, removes a disabled external one with an audit row", async () => {
    await expectError(await service.DELETE(request("DELETE", "/api/v1/services/quality"), params({ name: "quality" })), 409, "builtin_service");
    await expectError(await service.DELETE(request("DELETE", "/api/v1/services/wordcount"), params({ name: "wordcount" })), 409, "service_enabled");
    expect((await service.PATCH(request("PATCH", "/api/v1/services/wordcount", { json: { enabled: false } }), params({ name: "wordcount" }))).status).toBe(200);
    await worker?.close();
    worker = undefined;
    const removed = await service.DELETE(request("DELETE", "/api/v1/services/wordcount"), params({ name: "wordcount" }));
    expect(removed.status).toBe(204);
    await expectError(await service.GET(request("GET", "/api/v1/services/wordcount"), params({ name: "wordcount" })), 404);
    expect(await harness.database.db.auditLog.count({ where: { action: "service.remove", target: "wordcount" } })).toBe(1);
    await expectError(await service.DELETE(request("DELETE", "/api/v1/services/wordcount"), params({ name: "wordcount" })), 404);
  });
});
