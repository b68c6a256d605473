// The MCP gateway with Redis unreachable: a service tool call fails fast with a 503-style tool
// error (never a hang or a crash), while process_document still accepts work into Postgres.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestDatabase } from "@docgate/db/testing";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { SAMPLE_TEXT } from "../../../packages/mcp/test/fixtures";
import { BOOTSTRAP_KEY, startGatewayWithoutRedis } from "./harness";

let database: TestDatabase;
let server: { url: string; close(): Promise<void> };
let client: Client;

beforeAll(async () => {
  database = await startGatewayWithoutRedis("dgtest-mcp-down");
  // The registry says a quality worker is alive (its heartbeat is in Postgres), but Redis is gone.
  await database.db.service.update({
    where: { name: "quality" },
    data: { tools: [{ name: "assess_quality", inputSchema: { type: "object", properties: { text: { type: "string" } } } }] },
  });
  await database.db.serviceInstance.create({ data: { id: "quality:test:1", serviceName: "quality", host: "test", pid: 1, version: "0.1.0", concurrency: 1 } });
  const { POST, GET } = await import("~/app/api/mcp/route");
  const { serveFetchHandler } = await import("~/server/mcp/node-http");
  server = await serveFetchHandler((r) => (r.method === "GET" ? GET(r) : POST(r)));
  client = new Client({ name: "docgate-test", version: "1.0.0" });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${server.url}/api/mcp`), {
    requestInit: { headers: { authorization: `Bearer ${BOOTSTRAP_KEY}` } },
  }));
});

afterAll(async () => {
  await client?.close().catch(() => {});
  await server?.close();
  const { resetMcpRuntime } = await import("~/server/mcp/runtime");
  await resetMcpRuntime();
  await database?.drop();
});

describe("MCP gateway with Redis down", () => {
  it("lists tools from Postgres", async () => {
    const names = (await client.listTools()).tools.map((t) => t.name);
    expect(names).toContain("quality.assess_quality");
    expect(names).toContain("process_document");
  });

  it("answers a service tool call at once with a 503-style tool error", async () => {
    const started = Date.now();
    const result = (await client.callTool({ name: "quality.assess_quality", arguments: { text: SAMPLE_TEXT } })) as CallToolResult;
    expect(result.isError).toBe(true);
    expect(result._meta?.["docgate/error"]).toMatchObject({ code: "dependency_unavailable", status: 503 });
    expect((result.content[0] as { text: string }).text).toMatch(/unavailable; try again/);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("still accepts process_document into Postgres (queued for the reconciler)", async () => {
    const result = (await client.callTool({
      name: "process_document",
      arguments: { content: Buffer.from(SAMPLE_TEXT).toString("base64"), filename: "a.txt", services: ["quality"], wait: 0 },
    })) as CallToolResult;
    expect(result.isError).toBeFalsy();
    const job = result.structuredContent as { id: string; status: string };
    expect(job.status).toBe("queued");
    const row = await database.db.job.findUniqueOrThrow({ where: { id: job.id } });
    expect(row.enqueuedAt).toBeNull();
  });
});
