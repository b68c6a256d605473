// MCP gateway benchmark (loopback only, bounded): what `/api/mcp` adds to a tools/call.
//
//   npx tsx --tsconfig apps/web/tsconfig.json bench/mcp-gateway.ts
//   (BENCH_CALLS=2000 BENCH_SECONDS=5 BENCH_CLIENTS=16; writes bench/results/mcp-gateway.md)
//
// Three ways to call the same tool (quality.assess_quality on a short inline text):
//   direct-memory  SDK Client → the quality McpServer over InMemoryTransport (how a worker calls it)
//   direct-http    SDK Client → the same McpServer behind stateless Streamable HTTP (JSON responses),
//                  i.e. the server run standalone on the network, no Docgate in between
//   gateway        SDK Client → /api/mcp (API-key auth, catalog, BullMQ `tool.call` on svc.quality)
//                  → a worker process (separate, as in production) → its in-memory McpServer → reply
// Latency: one client, sequential calls (p50/p99). Throughput: N clients in parallel for S seconds.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import { createQualityServer, connectInMemory, type DocumentSource } from "@docgate/mcp";
import { createTemplateDatabase, createTestDatabase, dropDatabase } from "@docgate/db/testing";
import { createApiKey, seed } from "@docgate/db";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const CALLS = Number(process.env.BENCH_CALLS ?? 2000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 16);
const WARMUP = 200;
const ROUNDS = 10;
const KEY = `dg_bench_${randomBytes(16).toString("hex")}`;
const TOOL_ARGS = { text: "The committee met on Tuesday to review the annual budget. Members agreed to publish the report next month." };

type Caller = { call(): Promise<unknown>; close(): Promise<void> };

const noDocuments: DocumentSource = { getText: async () => { throw new Error("inline text only"); } };

async function main() {
  // ---- Back end: fresh database, own Redis prefix, one quality worker process ---------------
  const template = await createTemplateDatabase();
  process.env.DOCGATE_TEST_TEMPLATE_DB = template;
  const database = await createTestDatabase();
  const prefix = `dgbench-${randomBytes(4).toString("hex")}`;
  Object.assign(process.env, {
    DATABASE_URL: database.url, DOCGATE_REDIS_PREFIX: prefix, BETTER_AUTH_SECRET: "bench-secret-bench-secret-bench",
    NEXT_TELEMETRY_DISABLED: "1",
  });
  await seed(database.db, { adminEmail: "admin@bench.local", adminPassword: "correct horse battery" });
  // The gateway enforces each key's rate limit (Redis, per request) exactly as REST does; the
  // bench key's limit is set high enough not to stop the run, so the check's cost is measured.
  await createApiKey(database.db, { name: "bench", role: "operator", rateLimitPerMinute: 100_000_000 }, KEY);
  const worker = spawn(path.join(root, "node_modules/.bin/tsx"), [path.join(root, "apps/workers/src/worker-process.ts"), "quality"], {
    env: process.env, stdio: ["ignore", "pipe", "pipe"],
  });
  worker.stdout?.resume();
  worker.stderr?.on("data", (d: Buffer) => process.stderr.write(`[worker] ${d}`));
  const children: ChildProcess[] = [worker];
  const interrupted = () => {
    for (const child of children) child.kill("SIGTERM");
    process.exit(130);
  };
  process.once("SIGINT", interrupted);
  process.once("SIGTERM", interrupted);
  try {
    await until(async () => (await database.db.serviceInstance.count({ where: { serviceName: "quality" } })) > 0, 60_000);

    const { POST, GET } = await import("../apps/web/src/app/api/mcp/route");
    const { serveFetchHandler } = await import("../apps/web/src/server/mcp/node-http");
    const gatewayHttp = await serveFetchHandler((r) => (r.method === "GET" ? GET(r) : POST(r)));

    // The same MCP server, standalone over stateless Streamable HTTP (one server per request).
    const directHttp = await serveFetchHandler(async (request) => {
      const server = createQualityServer({ documents: noDocuments });
      const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
      await server.connect(transport);
      return transport.handleRequest(request);
    });

    const modes: { name: string; make(): Promise<Caller> }[] = [
      {
        name: "direct-memory",
        async make() {
          const mcp = await connectInMemory(createQualityServer({ documents: noDocuments }));
          return { call: () => mcp.client.callTool({ name: "assess_quality", arguments: TOOL_ARGS }), close: () => mcp.close() };
        },
      },
      { name: "direct-http", make: () => httpCaller(`${directHttp.url}/mcp`, "assess_quality", null) },
      { name: "gateway", make: () => httpCaller(`${gatewayHttp.url}/api/mcp`, "quality.assess_quality", KEY) },
    ];

    const rows: { name: string; p50: number; p90: number; p99: number; mean: number; rps1: number; rpsN: number }[] = [];
    // Latency: the modes take turns in ROUNDS slices, so a burst of load from other processes
    // on this shared machine hits all of them alike rather than one mode's whole run.
    const ones = await Promise.all(modes.map((m) => m.make()));
    for (const one of ones) for (let i = 0; i < WARMUP; i++) await check(await one.call());
    const latencies = modes.map(() => [] as number[]);
    const busyMs = modes.map(() => 0);
    const perRound = Math.ceil(CALLS / ROUNDS);
    for (let round = 0; round < ROUNDS; round++) {
      for (const [m, one] of ones.entries()) {
        const started = performance.now();
        for (let i = 0; i < perRound; i++) {
          const t = performance.now();
          await check(await one.call());
          latencies[m]!.push(performance.now() - t);
        }
        busyMs[m]! += performance.now() - started;
      }
    }
    await Promise.all(ones.map((one) => one.close()));
    for (const [m, mode] of modes.entries()) {
      const l = latencies[m]!.sort((a, b) => a - b);
      const q = (p: number) => l[Math.min(l.length - 1, Math.floor(p * l.length))]!;
      const rps1 = l.length / (busyMs[m]! / 1000);
      const rpsN = await throughput(mode.make, CLIENTS, SECONDS * 1000);
      rows.push({ name: mode.name, p50: q(0.5), p90: q(0.9), p99: q(0.99), mean: l.reduce((a, b) => a + b, 0) / l.length, rps1, rpsN });
      console.log(`${mode.name}: p50 ${q(0.5).toFixed(2)} ms, p99 ${q(0.99).toFixed(2)} ms, ${rps1.toFixed(0)} calls/s (1 client), ${rpsN.toFixed(0)} calls/s (${CLIENTS} clients)`);
    }

    // The queue hop alone (no HTTP, no MCP framing on the gateway side): list vs BullMQ job.
    const { callServiceTool } = await import("@docgate/orchestrator");
    const { serverContext } = await import("../apps/web/src/server/context");
    const { mcpRuntime } = await import("../apps/web/src/server/mcp/runtime");
    const hops: { name: string; p50: number; p99: number }[] = [];
    for (const via of ["list", "bullmq"] as const) {
      const hop = () => callServiceTool(serverContext().orchestrator, mcpRuntime().replies, { service: "quality", tool: "assess_quality", arguments: TOOL_ARGS, timeoutMs: 10_000, via });
      for (let i = 0; i < WARMUP; i++) await check(await hop());
      const l: number[] = [];
      for (let i = 0; i < CALLS; i++) {
        const t = performance.now();
        await check(await hop());
        l.push(performance.now() - t);
      }
      l.sort((a, b) => a - b);
      hops.push({ name: via, p50: l[Math.floor(l.length / 2)]!, p99: l[Math.floor(l.length * 0.99)]! });
      console.log(`hop ${via}: p50 ${hops.at(-1)!.p50.toFixed(2)} ms, p99 ${hops.at(-1)!.p99.toFixed(2)} ms`);
    }

    writeReport(rows, hops);
    await gatewayHttp.close();
    await directHttp.close();
    const { resetMcpRuntime } = await import("../apps/web/src/server/mcp/runtime");
    await resetMcpRuntime();
  } finally {
    for (const child of children) child.kill("SIGTERM");
    await new Promise((r) => setTimeout(r, 500));
    await dropRedisPrefix(prefix).catch(() => {});
    await database.drop().catch(() => {});
    await dropDatabase(template).catch(() => {});
  }
  process.exit(0);
}

/** Deletes this run's Redis keys (queues, call lists, rate-limit counters). */
async function dropRedisPrefix(prefix: string) {
  const { Redis } = await import("ioredis");
  const redis = new Redis(process.env.REDIS_URL || "redis://127.0.0.1:6379");
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 1000);
    cursor = next;
    if (keys.length) await redis.del(...keys);
  } while (cursor !== "0");
  redis.disconnect();
}

async function httpCaller(url: string, tool: string, key: string | null): Promise<Caller> {
  const client = new Client({ name: "bench", version: "1.0.0" });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: key ? { authorization: `Bearer ${key}` } : {} } }));
  return { call: () => client.callTool({ name: tool, arguments: TOOL_ARGS }), close: () => client.close() };
}

async function throughput(make: () => Promise<Caller>, clients: number, ms: number): Promise<number> {
  const callers = await Promise.all(Array.from({ length: clients }, () => make()));
  for (const c of callers) for (let i = 0; i < 20; i++) await check(await c.call());
  let done = 0;
  const deadline = performance.now() + ms;
  const started = performance.now();
  await Promise.all(callers.map(async (c) => {
    while (performance.now() < deadline) {
      await check(await c.call());
      done++;
    }
  }));
  const elapsed = performance.now() - started;
  await Promise.all(callers.map((c) => c.close()));
  return done / (elapsed / 1000);
}

async function check(result: unknown) {
  const r = result as { isError?: boolean; content?: { text?: string }[] };
  if (r.isError) throw new Error(`tool error: ${r.content?.[0]?.text}`);
}

async function until(check: () => Promise<boolean>, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("the worker did not start in time");
    await new Promise((r) => setTimeout(r, 200));
  }
}

function writeReport(
  rows: { name: string; p50: number; p90: number; p99: number; mean: number; rps1: number; rpsN: number }[],
  hops: { name: string; p50: number; p99: number }[],
) {
  const by = Object.fromEntries(rows.map((r) => [r.name, r]));
  const g = by.gateway!, m = by["direct-memory"]!, h = by["direct-http"]!;
  const f = (n: number) => n.toFixed(2);
  const cpu = os.cpus();
  const lines = [
    "# MCP gateway benchmark",
    "",
    `Run ${new Date().toISOString()} with \`npx tsx --tsconfig apps/web/tsconfig.json bench/mcp-gateway.ts\``,
    `(${CALLS} sequential calls per path after ${WARMUP} warm-up, the paths taking turns in ${ROUNDS} slices; throughput: ${CLIENTS} clients for ${SECONDS} s per path).`,
    "",
    `Machine: ${cpu.length} × ${cpu[0]?.model ?? "unknown CPU"}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.type()} ${os.release()}, Node ${process.version}.`,
    `Load average at the end of the run: ${os.loadavg().map((l) => l.toFixed(1)).join(" / ")} (1 / 5 / 15 min; other engineers' builds and tests shared the 2 cores).`,
    "Postgres 15 and Redis 7 on loopback. The benchmark process holds the",
    "clients, the gateway handler (behind node:http) and the direct HTTP server; the quality worker is a separate",
    "process (`apps/workers/src/worker-process.ts quality`, concurrency from its Service row) as in production.",
    "",
    "Tool: `assess_quality` on a 110-character inline text (cheap, so the numbers are the overhead).",
    "",
    "| path | p50 ms | p90 ms | p99 ms | mean ms | calls/s, 1 client | calls/s, " + CLIENTS + " clients |",
    "|---|---:|---:|---:|---:|---:|---:|",
    ...rows.map((r) => `| ${r.name} | ${f(r.p50)} | ${f(r.p90)} | ${f(r.p99)} | ${f(r.mean)} | ${r.rps1.toFixed(0)} | ${r.rpsN.toFixed(0)} |`),
    "",
    "Added by the gateway:",
    "",
    `- vs the same MCP server over stateless Streamable HTTP: p50 +${f(g.p50 - h.p50)} ms, p99 +${f(g.p99 - h.p99)} ms; ` +
      `throughput ${(g.rpsN / h.rpsN).toFixed(2)}× with ${CLIENTS} clients.`,
    `- vs calling it in memory (no network at all): p50 +${f(g.p50 - m.p50)} ms, p99 +${f(g.p99 - m.p99)} ms; ` +
      `throughput ${(g.rpsN / m.rpsN).toFixed(2)}× with ${CLIENTS} clients.`,
    "",
    "Targets (issue 8): at most 3 ms added at p50 for a namespaced call, at least 0.5× of direct throughput.",
    "",
    "The queue hop alone (`callServiceTool` from the gateway process to the worker process and back, no HTTP):",
    "",
    "| way in | p50 ms | p99 ms |",
    "|---|---:|---:|",
    ...hops.map((h) => `| ${h.name === "list" ? "Redis list (LPUSH/BRPOP), used" : "BullMQ `tool.call` job on svc.quality"} | ${f(h.p50)} | ${f(h.p99)} |`),
    "",
    "Reading the numbers: a gateway call is direct-http plus the key check (cached hash lookup, one Redis",
    "round trip for the rate limit), a per-request SDK Server, the catalog lookup (cached), and the hop to a worker",
    "process and back (push, pop, publish). The hop alone is about 1 ms at p50; the rest is the extra Redis round",
    "trip and process wake-ups, which stretch when the cores are busy. BullMQ's four Lua round trips cost about twice",
    "the list's two, which is why direct calls use the list. p99 is dominated by CPU contention from",
    "other processes on this machine (compare the direct paths' own p99). Throughput with many clients can exceed",
    "direct-http because the tool itself runs in the worker process, on the other core.",
    "",
    "(Node may print MaxListenersExceededWarning during the run: the SDK's StreamableHTTPClientTransport reuses",
    "one AbortSignal for every fetch and undici releases its listeners only on GC. Client side, harmless here.)",
    "",
  ];
  mkdirSync(path.join(root, "bench/results"), { recursive: true });
  writeFileSync(path.join(root, "bench/results/mcp-gateway.md"), lines.join("\n"));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
