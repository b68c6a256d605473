// The MCP gateway over real HTTP: the `/api/mcp` route handler behind a node:http socket, an
// SDK Client over StreamableHTTPClientTransport, real Postgres, Redis and service workers.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey } from "@docgate/db";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import {
  CallToolResultSchema, CreateTaskResultSchema, ToolListChangedNotificationSchema, type CallToolResult,
} from "@modelcontextprotocol/sdk/types.js";
import { makePdf, SAMPLE_TEXT } from "../../../packages/mcp/test/fixtures";
import { stopping } from "~/server/stopping";
import { BOOTSTRAP_KEY, eventually, held, startHarness, type Harness } from "./harness";

let harness: Harness;
let server: { url: string; close(): Promise<void> };
let cleanup: () => Promise<void>;
const clients: Client[] = [];

beforeAll(async () => {
  harness = await startHarness();
  const { POST, GET, DELETE } = await import("~/app/api/mcp/route");
  const { serveFetchHandler } = await import("~/server/mcp/node-http");
  const { resetMcpRuntime } = await import("~/server/mcp/runtime");
  const handler = (request: Request) =>
    request.method === "GET" ? GET(request) : request.method === "DELETE" ? DELETE(request) : POST(request);
  server = await serveFetchHandler(handler);
  cleanup = resetMcpRuntime;
});

afterAll(async () => {
  await Promise.allSettled(clients.map((c) => c.close()));
  await server?.close();
  await cleanup?.();
  await harness?.stop();
});

async function connect(key: string | null = BOOTSTRAP_KEY): Promise<Client> {
  const client = new Client({ name: "docgate-test", version: "1.0.0" });
  const transport = new StreamableHTTPClientTransport(new URL(`${server.url}/api/mcp`), {
    requestInit: { headers: key ? { authorization: `Bearer ${key}` } : {} },
  });
  await client.connect(transport);
  clients.push(client);
  return client;
}

const base64 = (value: string | Uint8Array) => Buffer.from(typeof value === "string" ? new TextEncoder().encode(value) : value).toString("base64");

/**
 * Runs `fn` with an enabled external service `name` that no worker serves (nothing listens at its
 * URL): its tasks stay queued until the test acts. Then its open jobs are cancelled and it is
 * disabled again.
 */
async function withUnservedService(name: string, fn: () => Promise<void>): Promise<void> {
  const { db } = harness.database;
  await db.service.upsert({
    where: { name },
    create: { name, kind: "external", url: "http://127.0.0.1:9/mcp", tools: [{ name: "echo", inputSchema: { type: "object" } }] },
    update: { enabled: true },
  });
  await invalidateCatalog();
  try {
    await fn();
  } finally {
    await db.job.updateMany({ where: { services: { has: name }, status: { in: ["queued", "running"] } }, data: { status: "cancelled", finishedAt: new Date() } });
    await db.service.update({ where: { name }, data: { enabled: false } });
    await invalidateCatalog();
  }
}
const errorText = (r: CallToolResult) => (r.content[0] as { text: string }).text;
const errorCode = (r: CallToolResult) => (r._meta?.["docgate/error"] as { code: string } | undefined)?.code;

async function invalidateCatalog() {
  (await import("~/server/mcp/catalog")).invalidateCatalog();
}

describe("tools/list", () => {
  it("lists every enabled service's tools as <service>.<tool> with schemas and annotations, plus the gateway tools", async () => {
    const client = await connect();
    expect(client.getServerCapabilities()?.tasks?.requests?.tools?.call).toBeDefined();
    const { tools } = await client.listTools();
    const byName = new Map(tools.map((t) => [t.name, t]));
    for (const name of ["process_document", "get_job", "upload_document", "classification.classify_document", "quality.assess_quality"]) {
      expect(byName.has(name), name).toBe(true);
    }
    const classify = byName.get("classification.classify_document")!;
    expect(classify.inputSchema.properties).toHaveProperty("text");
    expect(classify.inputSchema.properties).toHaveProperty("documentId");
    expect(classify.outputSchema?.properties).toHaveProperty("label");
    expect(classify.annotations?.readOnlyHint).toBe(true);
    expect(byName.get("process_document")!.execution?.taskSupport).toBe("optional");
  });

  it("shows a key only the services it may call, and a viewer only get_job", async () => {
    const { db } = harness.database;
    const limited = await createApiKey(db, { name: "quality only", role: "operator", services: ["quality"] });
    const names = (await (await connect(limited.secret)).listTools()).tools.map((t) => t.name);
    expect(names).toContain("quality.assess_quality");
    expect(names.some((n) => n.startsWith("classification."))).toBe(false);

    const viewer = await createApiKey(db, { name: "viewer", role: "viewer" });
    expect((await (await connect(viewer.secret)).listTools()).tools.map((t) => t.name)).toEqual(["get_job"]);
  });

  it("answers plain JSON (stateless, no session id) with the key's rate-limit headers; SSE only when progress can flow", async () => {
    const post = (body: unknown) => fetch(`${server.url}/api/mcp`, {
      method: "POST",
      headers: { authorization: `Bearer ${BOOTSTRAP_KEY}`, "content-type": "application/json", accept: "application/json, text/event-stream" },
      body: JSON.stringify(body),
    });
    const list = await post({ jsonrpc: "2.0", id: 1, method: "tools/list", params: {} });
    expect(list.status).toBe(200);
    expect(list.headers.get("content-type")).toMatch(/application\/json/);
    expect(list.headers.get("mcp-session-id")).toBeNull();
    expect(Number(list.headers.get("x-ratelimit-limit"))).toBeGreaterThan(0);
    expect(((await list.json()) as { result: { tools: unknown[] } }).result.tools.length).toBeGreaterThan(3);
    const withProgress = await post({
      jsonrpc: "2.0", id: 2, method: "tools/call",
      params: { name: "quality.assess_quality", arguments: { text: SAMPLE_TEXT }, _meta: { progressToken: 7 } },
    });
    expect(withProgress.headers.get("content-type")).toMatch(/text\/event-stream/);
    expect(await withProgress.text()).toContain('"score"');
    const parseError = await fetch(`${server.url}/api/mcp`, {
      method: "POST", headers: { authorization: `Bearer ${BOOTSTRAP_KEY}`, "content-type": "application/json", accept: "application/json, text/event-stream" }, body: "{nope",
    });
    expect(parseError.status).toBe(400);
    expect(((await parseError.json()) as { error: { code: number } }).error.code).toBe(-32700);
  });

  it("refuses a missing or unknown key with 401", async () => {
    await expect(connect(null)).rejects.toMatchObject({ code: 401, message: expect.stringMatching(/unauthenticated/) });
    await expect(connect("dg_not_a_key")).rejects.toMatchObject({ code: 401, message: expect.stringMatching(/invalid_api_key/) });
  });
});

describe("tools/call on service tools (through the queue to the worker's MCP server)", () => {
  it("calls each namespaced tool with inline text", async () => {
    const client = await connect();
    const classified = (await client.callTool({ name: "classification.classify_document", arguments: { text: SAMPLE_TEXT } })) as CallToolResult;
    expect(classified.isError).toBeFalsy();
    const c = classified.structuredContent as { label: string; confidence: number; taxonomy: string };
    expect(typeof c.label).toBe("string");
    expect(c.confidence).toBeGreaterThan(0);
    expect(c.taxonomy).toBe("genre");

    const assessed = (await client.callTool({ name: "quality.assess_quality", arguments: { text: SAMPLE_TEXT } })) as CallToolResult;
    expect(assessed.isError).toBeFalsy();
    const q = assessed.structuredContent as { score: number; grade: string; issues: unknown[] };
    expect(q.score).toBeGreaterThanOrEqual(0);
    expect(q.score).toBeLessThanOrEqual(100);
    expect(Array.isArray(q.issues)).toBe(true);
  });

  it("answers bad arguments as a tool error, not a crash, and keeps serving", async () => {
    const client = await connect();
    const empty = (await client.callTool({ name: "classification.classify_document", arguments: {} })) as CallToolResult;
    expect(empty.isError).toBe(true);
    expect(errorText(empty)).toMatch(/documentId or text|Invalid/i);
    const wrongType = (await client.callTool({ name: "quality.assess_quality", arguments: { text: 42 } })) as CallToolResult;
    expect(wrongType.isError).toBe(true);
    const extra = (await client.callTool({ name: "quality.assess_quality", arguments: { text: "a", nope: true } })) as CallToolResult;
    expect(extra.isError).toBe(true);
    const missingDoc = (await client.callTool({ name: "quality.assess_quality", arguments: { documentId: "00000000-0000-0000-0000-000000000000" } })) as CallToolResult;
    expect(missingDoc.isError).toBe(true);
    expect(errorText(missingDoc)).toMatch(/does not exist/);
    const unknown = (await client.callTool({ name: "classification.nope", arguments: {} })) as CallToolResult;
    expect(unknown.isError).toBe(true);
    expect(errorCode(unknown)).toBe("unknown_tool");
    const badGateway = (await client.callTool({ name: "process_document", arguments: { content: "%%%", filename: 3 } })) as CallToolResult;
    expect(badGateway.isError).toBe(true);
    expect(errorCode(badGateway)).toBe("invalid_input");
    // Still serving.
    const ok = (await client.callTool({ name: "quality.assess_quality", arguments: { text: SAMPLE_TEXT } })) as CallToolResult;
    expect(ok.isError).toBeFalsy();
  });

  it("refuses a service the key may not call, with an access.deny audit row", async () => {
    const { db } = harness.database;
    const limited = await createApiKey(db, { name: "quality only 2", role: "operator", services: ["quality"] });
    const client = await connect(limited.secret);
    const refused = (await client.callTool({ name: "classification.classify_document", arguments: { text: SAMPLE_TEXT } })) as CallToolResult;
    expect(refused.isError).toBe(true);
    expect(errorCode(refused)).toBe("service_not_allowed");
    const viaProcess = (await client.callTool({ name: "process_document", arguments: { content: base64(SAMPLE_TEXT), filename: "a.txt", services: ["classification"] } })) as CallToolResult;
    expect(viaProcess.isError).toBe(true);
    expect(errorCode(viaProcess)).toBe("service_not_allowed");
    await eventually(() => db.auditLog.findFirst({ where: { action: "access.deny", actorId: limited.row.id } }));
    // The allowed service works with the same key.
    const allowed = (await client.callTool({ name: "quality.assess_quality", arguments: { text: SAMPLE_TEXT } })) as CallToolResult;
    expect(allowed.isError).toBeFalsy();
  });

  it("also answers through a BullMQ `tool.call` job on svc.<service> (the alternative way in)", async () => {
    const { callServiceTool } = await import("@docgate/orchestrator");
    const { serverContext } = await import("~/server/context");
    const { mcpRuntime } = await import("~/server/mcp/runtime");
    const call = (args: Record<string, unknown>) => callServiceTool(serverContext().orchestrator, mcpRuntime().replies, {
      service: "quality", tool: "assess_quality", arguments: args, timeoutMs: 10_000, via: "bullmq",
    });
    const ok = await call({ text: SAMPLE_TEXT });
    expect(ok.isError).toBeFalsy();
    expect((ok.structuredContent as { score: number }).score).toBeGreaterThanOrEqual(0);
    const bad = await call({});
    expect(bad.isError).toBe(true);
  });

  it("holds process_document to the key's daily quota and a viewer to its role, as REST does", async () => {
    const { db } = harness.database;
    const quota = await createApiKey(db, { name: "one a day", role: "operator", dailyDocumentQuota: 1 });
    const client = await connect(quota.secret);
    const args = { content: base64(`${SAMPLE_TEXT} Quota ${Date.now()}.`), filename: "q.txt", services: ["quality"] };
    expect(((await client.callTool({ name: "process_document", arguments: args })) as CallToolResult).isError).toBeFalsy();
    const second = (await client.callTool({ name: "process_document", arguments: args })) as CallToolResult;
    expect(second.isError).toBe(true);
    expect(second._meta?.["docgate/error"]).toMatchObject({ code: "daily_quota_exceeded", status: 429 });

    const viewer = await createApiKey(db, { name: "viewer 2", role: "viewer" });
    const refused = (await (await connect(viewer.secret)).callTool({ name: "quality.assess_quality", arguments: { text: SAMPLE_TEXT } })) as CallToolResult;
    expect(errorCode(refused)).toBe("forbidden");
  });

  it("writes mcp.call audit rows (batched per actor and tool)", async () => {
    const { flushToolCallAudit } = await import("~/server/mcp/audit");
    await flushToolCallAudit();
    const { db } = harness.database;
    const rows = await db.auditLog.findMany({ where: { action: "mcp.call", target: "quality.assess_quality" } });
    const calls = rows.reduce((n, r) => n + ((r.metadata as { calls: number }).calls ?? 0), 0);
    expect(calls).toBeGreaterThanOrEqual(4);
  });
});

describe("gateway tools", () => {
  it("process_document runs a base64 PDF to completion and returns the job, with progress notifications", async () => {
    const client = await connect();
    const pdf = makePdf([SAMPLE_TEXT, `Second page ${Date.now()}.`]);
    const progress: { progress: number; total?: number }[] = [];
    const result = (await client.callTool(
      { name: "process_document", arguments: { content: base64(pdf), filename: "report.pdf", services: ["classification", "quality"] } },
      CallToolResultSchema,
      { onprogress: (p) => progress.push(p) },
    )) as CallToolResult;
    expect(result.isError).toBeFalsy();
    const job = result.structuredContent as { id: string; status: string; document: { mimeType: string; pages: number }; results: Record<string, { status: string; output: unknown }> };
    expect(job.status).toBe("succeeded");
    expect(job.document).toMatchObject({ mimeType: "application/pdf", pages: 2 });
    expect(job.results.classification!.status).toBe("succeeded");
    expect(job.results.quality!.status).toBe("succeeded");
    // Listening starts before the tasks are enqueued: no finish is missed, however fast.
    expect(progress.map((p) => [p.progress, p.total])).toEqual([[1, 2], [2, 2]]);
    const { db } = harness.database;
    expect(await db.auditLog.count({ where: { action: "job.create", target: job.id } })).toBe(1);

    const fetched = (await client.callTool({ name: "get_job", arguments: { jobId: job.id } })) as CallToolResult;
    expect((fetched.structuredContent as { id: string; status: string }).status).toBe("succeeded");
  });

  it("upload_document returns a resource link; the document is readable and processable by id", async () => {
    const client = await connect();
    const text = `${SAMPLE_TEXT} Uploaded copy ${Date.now()}.`;
    const uploaded = (await client.callTool({ name: "upload_document", arguments: { content: base64(text), filename: "notes.txt" } })) as CallToolResult;
    expect(uploaded.isError).toBeFalsy();
    const link = uploaded.content[0] as { type: string; uri: string; name: string };
    expect(link.type).toBe("resource_link");
    expect(link.uri).toMatch(/^docgate:\/\/documents\/[0-9a-f-]{36}$/);
    const documentId = link.uri.split("/").at(-1)!;

    const read = await client.readResource({ uri: link.uri });
    expect((read.contents[0] as { text: string }).text).toContain("Uploaded copy");
    const { resources } = await client.listResources();
    expect(resources.map((r) => r.uri)).toContain(link.uri);
    const { resourceTemplates } = await client.listResourceTemplates();
    expect(resourceTemplates[0]!.uriTemplate).toBe("docgate://documents/{id}");

    const byId = (await client.callTool({ name: "process_document", arguments: { documentId, services: ["quality"] } })) as CallToolResult;
    expect((byId.structuredContent as { status: string; document: { id: string } }).document.id).toBe(documentId);
    expect((byId.structuredContent as { status: string }).status).toBe("succeeded");
    const direct = (await client.callTool({ name: "classification.classify_document", arguments: { documentId } })) as CallToolResult;
    expect(direct.isError).toBeFalsy();

    // Another key cannot read it.
    const other = await createApiKey(harness.database.db, { name: "other", role: "operator" });
    const otherClient = await connect(other.secret);
    await expect(otherClient.readResource({ uri: link.uri })).rejects.toThrow(/not found/i);
    // …nor pass its id to a service tool.
    const foreign = (await otherClient.callTool({ name: "quality.assess_quality", arguments: { documentId } })) as CallToolResult;
    expect(errorCode(foreign)).toBe("document_not_found");

    // The same bytes from that key: one stored document, but it sees only its own name for it.
    const again = (await otherClient.callTool({ name: "upload_document", arguments: { content: base64(text), filename: "mine.txt" } })) as CallToolResult;
    expect((again.content[0] as { uri: string }).uri).toBe(link.uri);
    const listed = (await otherClient.listResources()).resources.find((r) => r.uri === link.uri);
    expect(listed?.name).toBe("mine.txt");
    expect(listed?.description).not.toContain((await harness.database.db.document.findUniqueOrThrow({ where: { id: documentId } })).createdAt.toISOString());
    const meta = (await otherClient.readResource({ uri: link.uri })).contents[0]!._meta as { "docgate/document": { filename: string } };
    expect(meta["docgate/document"].filename).toBe("mine.txt");
    const { GET } = await import("~/app/api/v1/documents/[id]/content/route");
    const content = await GET(new Request(`http://127.0.0.1/api/v1/documents/${documentId}/content`, { headers: { authorization: `Bearer ${other.secret}` } }), { params: Promise.resolve({ id: documentId }) });
    expect(content.headers.get("content-disposition")).toContain("mine.txt");
    // The first sender still sees its own.
    expect((await client.listResources()).resources.find((r) => r.uri === link.uri)?.name).toBe("notes.txt");
  });

  it("refuses an unsupported type and an empty document as tool errors", async () => {
    const client = await connect();
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 73, 72, 68, 82, 0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0]);
    const unsupported = (await client.callTool({ name: "process_document", arguments: { content: base64(png), filename: "x.pdf" } })) as CallToolResult;
    expect(errorCode(unsupported)).toBe("unsupported_type");
    const unknownService = (await client.callTool({ name: "process_document", arguments: { content: base64(SAMPLE_TEXT), filename: "a.txt", services: ["nope"] } })) as CallToolResult;
    expect(errorCode(unknownService)).toBe("unknown_service");
  });
});

describe("process_document as an MCP task (backed by the job row)", () => {
  it("creates the task at once, reports it with tasks/get, and returns the job with tasks/result", async () => {
    const client = await connect();
    const created = await client.request(
      { method: "tools/call", params: { name: "process_document", arguments: { content: base64(`${SAMPLE_TEXT} Task ${Date.now()}.`), filename: "task.txt" }, task: { ttl: 60_000 } } },
      CreateTaskResultSchema,
    );
    const { taskId } = created.task;
    expect(["working", "completed"]).toContain(created.task.status);
    const { db } = harness.database;
    expect(await db.job.findUnique({ where: { id: taskId } })).not.toBeNull(); // task id = job id

    // A web restart: the gateway's process state is dropped; a fresh client sees the same task.
    await (await import("~/server/mcp/runtime")).resetMcpRuntime();
    await invalidateCatalog();
    const other = await connect();
    const done = await eventually(async () => {
      const task = await other.experimental.tasks.getTask(taskId);
      return task.status === "completed" ? task : null;
    });
    expect(done.statusMessage).toMatch(/succeeded/);
    const result = await other.experimental.tasks.getTaskResult(taskId, CallToolResultSchema);
    const job = result.structuredContent as { id: string; status: string; results: Record<string, { status: string }> };
    expect(job.id).toBe(taskId);
    expect(job.status).toBe("succeeded");
    expect(Object.keys(job.results).sort()).toEqual(["classification", "quality"]);
    const listed = await client.experimental.tasks.listTasks();
    expect(listed.tasks.map((t) => t.taskId)).toContain(taskId);
  });

  it("tasks/result waits for a running task and streams its progress", async () => {
    const client = await connect();
    const progress: { progress: number; total?: number }[] = [];
    const created = await client.request(
      { method: "tools/call", params: { name: "process_document", arguments: { content: base64(`${SAMPLE_TEXT} Wait ${Date.now()}.`), filename: "w.txt" }, task: {} } },
      CreateTaskResultSchema,
      { onprogress: (p) => progress.push(p) },
    );
    const result = await client.experimental.tasks.getTaskResult(created.task.taskId, CallToolResultSchema);
    expect((result.structuredContent as { status: string }).status).toBe("succeeded");
    expect(progress.length).toBeGreaterThanOrEqual(1);
    expect(progress.at(-1)).toMatchObject({ progress: 2, total: 2 });
  });

  it("cancels a task: the job and its tasks become cancelled, with a job.cancel audit row", async () => {
    const { db } = harness.database;
    // A registered service with no running worker: its task stays queued until cancelled.
    await withUnservedService("idle", async () => {
      const client = await connect();
      const created = await client.request(
        { method: "tools/call", params: { name: "process_document", arguments: { content: base64(`${SAMPLE_TEXT} Cancel ${Date.now()}.`), filename: "c.txt", services: ["idle"] }, task: {} } },
        CreateTaskResultSchema,
      );
      const { taskId } = created.task;
      expect((await client.experimental.tasks.getTask(taskId)).status).toBe("working");
      const cancelled = await client.experimental.tasks.cancelTask(taskId);
      expect(cancelled.status).toBe("cancelled");
      expect((await client.experimental.tasks.getTask(taskId)).status).toBe("cancelled");
      const job = await db.job.findUniqueOrThrow({ where: { id: taskId }, include: { tasks: true } });
      expect(job.status).toBe("cancelled");
      expect(job.tasks.map((t) => t.status)).toEqual(["cancelled"]);
      expect(await db.auditLog.count({ where: { action: "job.cancel", target: taskId } })).toBe(1);
      // A final task cannot be cancelled again.
      await expect(client.experimental.tasks.cancelTask(taskId)).rejects.toThrow(/terminal/);
      // Another key does not see the task at all.
      const other = await createApiKey(db, { name: "other 2", role: "operator" });
      await expect((await connect(other.secret)).experimental.tasks.getTask(taskId)).rejects.toThrow(/not found/i);
    });
  });
});

describe("tasks/result progress", () => {
  it("a job that ends between the progress drain and the status read still gets its last progress first", async () => {
    const { db } = harness.database;
    // A service with no worker: the task stays queued until the test settles it, so the job can
    // be made to end exactly between the SDK's two steps.
    await withUnservedService("idle", async () => {
      const created = await (await connect()).request(
        { method: "tools/call", params: { name: "process_document", arguments: { content: base64(`${SAMPLE_TEXT} Race ${Date.now()}.`), filename: "r.txt", services: ["idle"] }, task: {} } },
        CreateTaskResultSchema,
        { onprogress: () => {} }, // the call carries a progress token, which the gateway keeps for tasks/result
      );
      const { taskId } = created.task;
      const { JobProgressQueue, JobTaskStore } = await import("~/server/mcp/task-store");
      const { serverContext } = await import("~/server/context");
      const { settleTask } = await import("@docgate/orchestrator");
      const admin = { kind: "user" as const, id: "test-admin", role: "admin" as const, email: "admin@test.local" };
      const queue = new JobProgressQueue();
      const store = new JobTaskStore(admin, { ip: null, userAgent: null }, queue);

      // The SDK's drain: nothing has finished yet.
      expect(await queue.dequeue(taskId)).toBeUndefined();
      // The job ends now, before the SDK reads its status.
      const task = await db.jobTask.findFirstOrThrow({ where: { jobId: taskId } });
      await settleTask(serverContext().orchestrator, taskId, task.id, { status: "failed", error: { code: "tool_error", message: "no" }, durationMs: 1 });
      // It still reads as working, so the SDK drains again instead of answering…
      expect((await store.getTask(taskId))!.status).toBe("working");
      // …and the next drain delivers the progress the client is owed.
      const message = await queue.dequeue(taskId);
      expect(message?.message).toMatchObject({ method: "notifications/progress", params: { progress: 1, total: 1 } });
      expect(await queue.dequeue(taskId)).toBeUndefined();
      expect((await store.getTask(taskId))!.status).toBe("failed");
      // Without a progress queue (tasks/get) the status is the job's at once.
      expect((await new JobTaskStore(admin, { ip: null, userAgent: null }).getTask(taskId))!.status).toBe("failed");
    });
  });
});

describe("notifications", () => {
  it("sends tools/list_changed on the GET stream when the caller's tools change", async () => {
    const client = await connect();
    let changed = 0;
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
      changed++;
    });
    const { openNotificationStreams } = await import("~/server/mcp/http");
    const before = openNotificationStreams();
    await client.listTools();
    await eventually(async () => openNotificationStreams() > before); // the client opened its GET stream
    const { db } = harness.database;
    await db.service.upsert({
      where: { name: "extra" },
      create: { name: "extra", kind: "external", url: "http://127.0.0.1:9/mcp", tools: [{ name: "echo", inputSchema: { type: "object" } }] },
      update: { enabled: true },
    });
    try {
      await eventually(async () => changed > 0, 15_000);
      expect((await client.listTools()).tools.map((t) => t.name)).toContain("extra.echo");
    } finally {
      await db.service.update({ where: { name: "extra" }, data: { enabled: false } });
      await invalidateCatalog();
    }
  });
});

describe("a web process told to stop (SIGTERM)", () => {
  it("answers a process_document that is still waiting at once, with the job to fetch from the next process", async () => {
    const { db } = harness.database;
    // stopping() (server/stopping.ts) aborts this controller on SIGTERM; the test aborts it itself.
    const holder = globalThis as unknown as { __docgateStopping?: AbortController };
    const previous = holder.__docgateStopping;
    const stop = new AbortController();
    holder.__docgateStopping = stop;
    // A service nothing serves: the job stays queued, so only the stop can end the wait.
    await withUnservedService("idle", async () => {
      const client = await connect();
      const text = `stopping ${Date.now()}`;
      const answer = client.callTool({ name: "process_document", arguments: { content: base64(text), filename: "stop.txt", services: ["idle"], wait: 60 } });
      const job = await eventually(() => db.job.findFirst({ where: { services: { has: "idle" }, filename: "stop.txt" } }));
      const stoppedAt = Date.now();
      stop.abort();
      const result = (await answer) as CallToolResult;
      expect(Date.now() - stoppedAt).toBeLessThan(5_000);
      expect(result.isError).toBeFalsy();
      expect(result.structuredContent).toMatchObject({ id: job.id, status: "queued" });
      expect(errorText(result)).toContain(`call get_job with this id`);
    }).finally(() => {
      holder.__docgateStopping = previous;
    });
  });
});

describe("a synchronous process_document and the process-long stopping() signal", () => {
  it("leaves nothing on it after the call, and a client hanging up ends the wait (plain JSON answers)", async () => {
    const stop = stopping();
    const before = held(stop);
    const client = await connect();
    const done = (await client.callTool({ name: "process_document", arguments: { content: base64(`${SAMPLE_TEXT} held ${Date.now()}`), filename: "held.txt", services: ["quality"] } })) as CallToolResult;
    expect(done.structuredContent).toMatchObject({ status: "succeeded" });
    expect(held(stop)).toEqual(before);

    // A service nothing serves: the job stays queued, so only the hang-up can end the wait.
    await withUnservedService("idle", async () => {
      const hangUp = new AbortController();
      const call = fetch(`${server.url}/api/mcp`, {
        method: "POST",
        headers: { authorization: `Bearer ${BOOTSTRAP_KEY}`, "content-type": "application/json", accept: "application/json, text/event-stream" },
        body: JSON.stringify({
          jsonrpc: "2.0", id: 1, method: "tools/call",
          params: { name: "process_document", arguments: { content: base64(`hang up ${Date.now()}`), filename: "hangup.txt", services: ["idle"], wait: 60 } },
        }),
        signal: hangUp.signal,
      });
      call.catch(() => {}); // aborted below
      await eventually(async () => held(stop).listeners > before.listeners); // the call is waiting
      hangUp.abort();
      await eventually(async () => held(stop).listeners === before.listeners, 10_000);
      expect(held(stop)).toEqual(before);
    });
  });
});

describe("unavailable services", () => {
  it("answers a service without live workers at once with a 503-style tool error", async () => {
    await withUnservedService("ghost", async () => {
      const client = await connect();
      const started = Date.now();
      const result = (await client.callTool({ name: "ghost.echo", arguments: {} })) as CallToolResult;
      expect(result.isError).toBe(true);
      expect(errorCode(result)).toBe("service_unavailable");
      expect(Date.now() - started).toBeLessThan(2_000);
    });
  });
});
