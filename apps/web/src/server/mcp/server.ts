import { flushAcceptedJob, isDependencyUnavailable, JobListener, newJobId, waitForJobView, callServiceTool, ToolCallUnavailableError, type JobView } from "@docgate/orchestrator";
import { stopping } from "../stopping";
import { withLinkedSignal } from "../linked-signal";
import { chooseServices } from "../services";
import { requireKnownJobOptions } from "../job-options";
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import {
  CallToolRequestSchema, ErrorCode, ListResourceTemplatesRequestSchema, ListResourcesRequestSchema, ListToolsRequestSchema,
  McpError, ReadResourceRequestSchema, type CallToolResult, type Tool,
} from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import { serverContext } from "../context";
import { ApiError } from "../errors";
import { readJob } from "../jobs";
import { auditActor, requireJobCapacity, requireRole, requireServices, type Principal } from "../principal";
import { submitAs } from "../intake";
import { recordToolCall } from "./audit";
import { loadCatalog, mayUseService, type Catalog } from "./catalog";
import {
  DOCUMENT_URI_TEMPLATE, GatewayToolError, decodeDocument, documentIdFromUri, documentUri, listReadableDocuments,
  mayReadDocument, readDocumentResource, storeDocument,
} from "./documents";
import { serviceProgress } from "./progress";
import { mcpRuntime } from "./runtime";
import { JobProgressQueue, JobTaskStore, TASK_POLL_INTERVAL_MS, jobResult, jobTask, rememberTaskProgressToken } from "./task-store";

export const GATEWAY_VERSION = "0.1.0";
export type RequestMeta = { ip: string | null; userAgent: string | null };

const RANK = { viewer: 0, operator: 1, admin: 2 } as const;
const isOperator = (p: Principal) => RANK[p.role] >= RANK.operator;

// ---- The gateway's own tools -------------------------------------------------------------

const ProcessDocumentInput = z
  .object({
    content: z.string().min(1).optional().describe("The document's bytes, base64-encoded (PDF, DOCX, HTML, Markdown, e-mail or plain text). Send with `filename`."),
    filename: z.string().min(1).max(255).optional().describe("The document's file name, with `content`."),
    documentId: z.string().uuid().optional().describe("Id of a document stored earlier (upload_document), instead of `content`."),
    services: z.array(z.string().min(1).max(100)).max(20).optional().describe("Services to run; every enabled built-in service when omitted."),
    taxonomy: z.string().min(1).max(100).optional().describe("Taxonomy for classification."),
    profile: z.string().min(1).max(100).optional().describe("Quality profile."),
    wait: z.number().int().min(0).max(300).optional().describe("Seconds to wait for the job (default 30) when not called as a task."),
  })
  .strict();
const GetJobInput = z.object({ jobId: z.string().min(1).max(100).describe("The job id (process_document's `id`).") }).strict();
const UploadDocumentInput = z
  .object({
    content: z.string().min(1).describe("The document's bytes, base64-encoded (PDF, DOCX, HTML, Markdown, e-mail or plain text)."),
    filename: z.string().min(1).max(255).describe("The document's file name."),
  })
  .strict();

const JOB_OUTPUT_SCHEMA = {
  type: "object",
  properties: {
    id: { type: "string" },
    status: { type: "string", enum: ["queued", "running", "succeeded", "partial", "failed", "cancelled"] },
    createdAt: { type: "string" },
    finishedAt: { type: ["string", "null"] },
    document: { type: "object" },
    results: { type: "object", additionalProperties: { type: "object" } },
  },
  required: ["id", "status", "document", "results"],
} as const;

const jsonSchema = (schema: z.ZodType) => z.toJSONSchema(schema, { io: "input" }) as Tool["inputSchema"];

const GATEWAY_TOOLS: (Tool & { operator: boolean })[] = [
  {
    name: "process_document",
    title: "Process a document",
    description:
      "Runs a document through Docgate's services (classification, quality, …) and returns the aggregated job. " +
      "Send `content` (base64) with `filename`, or the `documentId` of an uploaded document. Supports MCP tasks: " +
      "call it as a task to get a task id at once and poll tasks/get, then read tasks/result.",
    inputSchema: jsonSchema(ProcessDocumentInput),
    outputSchema: JOB_OUTPUT_SCHEMA as unknown as Tool["outputSchema"],
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    execution: { taskSupport: "optional" },
    operator: true,
  },
  {
    name: "get_job",
    title: "Get a job",
    description: "Returns a job (status and every service's output or error) by id.",
    inputSchema: jsonSchema(GetJobInput),
    outputSchema: JOB_OUTPUT_SCHEMA as unknown as Tool["outputSchema"],
    annotations: { readOnlyHint: true, openWorldHint: false },
    operator: false,
  },
  {
    name: "upload_document",
    title: "Upload a document",
    description:
      "Stores a document (base64 `content` and `filename`) without processing it and returns a resource link " +
      "docgate://documents/{id}; pass its id to process_document or to any service tool as `documentId`.",
    inputSchema: jsonSchema(UploadDocumentInput),
    outputSchema: {
      type: "object",
      properties: { uri: { type: "string" }, document: { type: "object" } },
      required: ["uri", "document"],
    },
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    operator: true,
  },
];
const GATEWAY_TOOL_NAMES = new Set(GATEWAY_TOOLS.map((t) => t.name));

// ---- The per-request server ----------------------------------------------------------------

/**
 * A low-level SDK Server for one HTTP request (stateless: nothing survives the request but
 * Postgres rows). The tool list is data (the registry's catalogs), so the low-level Server
 * is used rather than McpServer's zod-registered tools; tasks are served by the SDK's task
 * handlers over JobTaskStore.
 */
export function createGatewayServer(principal: Principal, meta: RequestMeta, options: { taskProgress?: boolean } = {}): Server {
  const progress = options.taskProgress ? new JobProgressQueue() : undefined;
  const server = new Server(
    { name: "docgate", title: "Docgate", version: GATEWAY_VERSION },
    {
      capabilities: {
        tools: { listChanged: true },
        resources: {},
        tasks: { list: {}, cancel: {}, requests: { tools: { call: {} } } },
      },
      instructions:
        "Docgate runs documents through document services. Tools named <service>.<tool> call one service's tool directly " +
        "(pass `text` or a `documentId`); process_document runs several services on a document and returns the aggregated job.",
      taskStore: new JobTaskStore(principal, meta, progress),
      // Only for a tasks/result request: with a message queue the SDK would queue (rather than
      // send) any answer whose request names a related task.
      ...(progress ? { taskMessageQueue: progress } : {}),
      defaultTaskPollInterval: TASK_POLL_INTERVAL_MS,
      jsonSchemaValidator: mcpRuntime().validator,
    },
  );

  server.setRequestHandler(ListToolsRequestSchema, async () => {
    const catalog = await loadCatalog();
    const own = GATEWAY_TOOLS.filter((t) => !t.operator || isOperator(principal)).map(({ operator: _, ...tool }) => tool);
    const services = isOperator(principal)
      ? [...catalog.tools.values()].filter((t) => mayUseService(principal, t.service)).map((t) => t.definition)
      : [];
    return { tools: [...own, ...services] };
  });

  server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
    const { name } = request.params;
    const args = request.params.arguments ?? {};
    const asTask = Boolean(request.params.task);
    if (GATEWAY_TOOL_NAMES.has(name)) {
      if (asTask && name !== "process_document") {
        throw new McpError(ErrorCode.MethodNotFound, `${name} cannot run as a task; call it directly.`);
      }
      try {
        if (name === "process_document") {
          return await processDocument(principal, meta, args, {
            asTask,
            progressToken: request.params._meta?.progressToken,
            signal: extra.signal,
            notify: (n) => extra.sendNotification(n),
          });
        }
        if (name === "get_job") return await getJob(principal, args);
        return await uploadDocument(principal, meta, args);
      } catch (error) {
        const result = gatewayError(error);
        // A task request expects a task back; a refusal is then a JSON-RPC error with the same words.
        if (asTask) throw new McpError(ErrorCode.InvalidParams, (result.content[0] as { text: string }).text, result._meta);
        return result;
      }
    }
    if (asTask) throw new McpError(ErrorCode.MethodNotFound, `${name} cannot run as a task; call it directly.`);
    return callNamespacedTool(principal, meta, await loadCatalog(), name, args, extra.signal);
  });

  server.setRequestHandler(ListResourceTemplatesRequestSchema, async () => ({
    resourceTemplates: [{
      uriTemplate: DOCUMENT_URI_TEMPLATE, name: "document", title: "Docgate document",
      description: "A stored document: its extracted text (or its bytes when not extracted yet).",
    }],
  }));

  server.setRequestHandler(ListResourcesRequestSchema, async () => {
    const docs = await listReadableDocuments(principal);
    return {
      resources: docs.map((d) => ({
        uri: documentUri(d.id), name: d.filename, mimeType: d.mimeType, size: d.sizeBytes,
        description: `Uploaded ${d.createdAt.toISOString()}`,
      })),
    };
  });

  server.setRequestHandler(ReadResourceRequestSchema, async (request) => {
    const id = documentIdFromUri(request.params.uri);
    if (!id || !(await mayReadDocument(principal, id))) {
      throw new McpError(ErrorCode.InvalidParams, `Resource not found: ${request.params.uri}`);
    }
    const doc = await readDocumentResource(principal, id);
    if (!doc) throw new McpError(ErrorCode.InvalidParams, `Resource not found: ${request.params.uri}`);
    const uri = request.params.uri;
    return {
      contents: [
        "text" in doc
          ? { uri, mimeType: "text/plain", text: doc.text ?? "", _meta: { "docgate/document": doc.meta } }
          : { uri, mimeType: doc.meta.mimeType, blob: doc.blob, _meta: { "docgate/document": doc.meta } },
      ],
    };
  });

  return server;
}

// ---- Namespaced service tools --------------------------------------------------------------

async function callNamespacedTool(
  principal: Principal, meta: RequestMeta, catalog: Catalog, name: string, args: Record<string, unknown>, signal: AbortSignal,
): Promise<CallToolResult> {
  const entry = catalog.tools.get(name);
  if (!entry) return toolError("unknown_tool", `There is no tool "${name.slice(0, 100)}". Call tools/list for the available tools.`, 404);
  try {
    // The same checks as REST, with their `access.deny` audit rows.
    requireRole(principal, "operator");
    requireServices(principal, [entry.service]);
  } catch (error) {
    return gatewayError(error);
  }
  // Service tools resolve a `documentId` themselves: only pass ids this caller may read.
  if (typeof args.documentId === "string" && !(await mayReadDocument(principal, args.documentId).catch(() => false))) {
    return toolError("document_not_found", "There is no document with this id.", 404);
  }
  const service = catalog.services.get(entry.service)!;
  if (!service.live) {
    return toolError("service_unavailable", `The ${entry.service} service has no running workers; try again shortly.`, 503);
  }
  try {
    const result = await callServiceTool(serverContext().orchestrator, mcpRuntime().replies, {
      service: entry.service, tool: entry.tool, arguments: args, timeoutMs: service.timeoutMs + 1_000, signal,
    });
    recordToolCall(principal, name, Boolean(result.isError));
    return result as CallToolResult;
  } catch (error) {
    recordToolCall(principal, name, true);
    if (error instanceof ToolCallUnavailableError) {
      return toolError(error.code === "timeout" ? "timeout" : "dependency_unavailable", error.message, 503);
    }
    return gatewayError(error);
  }
}

// ---- Gateway tool handlers -------------------------------------------------------------------

type CallContext = {
  asTask: boolean;
  progressToken: string | number | undefined;
  signal: AbortSignal;
  notify: (notification: { method: "notifications/progress"; params: { progressToken: string | number; progress: number; total: number; message: string } }) => Promise<void>;
};

async function processDocument(principal: Principal, meta: RequestMeta, rawArgs: unknown, call: CallContext) {
  requireRole(principal, "operator");
  const args = parse(ProcessDocumentInput, rawArgs);
  if ((args.content === undefined) === (args.documentId === undefined)) {
    throw new GatewayToolError("invalid_input", "Send exactly one of `content` (with `filename`) or `documentId`.");
  }
  if (args.content !== undefined && !args.filename) throw new GatewayToolError("invalid_input", "`filename` is required with `content`.");

  await requireJobCapacity(principal); // concurrent-job cap and daily quota, as on REST
  const services = await resolveServices(args.services ?? []);
  requireServices(principal, services.map((s) => s.name));
  await requireKnownJobOptions({ taxonomy: args.taxonomy, profile: args.profile }); // 400 here, not a failed task later
  const document = args.content !== undefined
    ? await decodeDocument(args.content, args.filename!)
    : await storedDocument(principal, args.documentId!);

  const { db, events } = serverContext();
  // A call that waits listens to its job from before the tasks are enqueued (while the intake
  // runs): no progress is missed however fast the tasks are, and the wait need not read the job
  // first.
  const jobId = newJobId();
  const waits = !call.asTask;
  const listening = waits ? JobListener.open(events, jobId) : null;
  const token = call.progressToken;
  const progress = waits && token !== undefined
    ? events.subscribe(jobId, serviceProgress((progress, message) => {
        call.notify({
          method: "notifications/progress",
          params: { progressToken: token, progress, total: services.length, message },
        }).catch(() => {});
      }))
    : null;
  try {
    await submitAs(principal, {
      document,
      services,
      options: { ...(args.taxonomy ? { taxonomy: args.taxonomy } : {}), ...(args.profile ? { profile: args.profile } : {}) },
      actor: auditActor(principal),
      apiKeyId: principal.kind === "api_key" ? principal.id : null,
      userId: principal.kind === "user" ? principal.id : null,
      ip: meta.ip,
      userAgent: meta.userAgent,
      // Told nothing until the job is final or flushed (below), as a synchronous REST request.
      answersWhenFinal: waits,
      jobId,
      beforeEnqueue: Promise.all([listening, progress]),
    });

    if (call.asTask) {
      await rememberTaskProgressToken(jobId, call.progressToken);
      const row = await db.job.findUniqueOrThrow({
        where: { id: jobId },
        select: { id: true, status: true, createdAt: true, startedAt: true, finishedAt: true, tasks: { select: { status: true, finishedAt: true } } },
      });
      return { task: jobTask(row) };
    }

    // A restart (SIGTERM) ends the wait too: the answer then names the job to fetch from the next process.
    const listener = (await listening) ?? undefined;
    const waited = await withLinkedSignal([call.signal, stopping()], (signal) =>
      waitForJobView(db, events, jobId, { timeoutMs: (args.wait ?? 30) * 1000, signal, listener }));
    if (!waited) throw new Error("The job vanished after it was accepted.");
    if (waited.finished) return jobResult(waited.view);
    await flushAcceptedJob(db, jobId); // the intake's commit did not wait for the disk
    return stillRunning(waited.view);
  } finally {
    void listening?.then((listener) => listener.close()); // the wait closes it too; twice is harmless
    void progress?.then((unsubscribe) => unsubscribe());
  }
}

function stillRunning(view: JobView): CallToolResult {
  return {
    content: [{ type: "text", text: `Job ${view.id} is ${view.status}; call get_job with this id for its result.\n${JSON.stringify(view)}` }],
    structuredContent: view as unknown as Record<string, unknown>,
  };
}

async function getJob(principal: Principal, rawArgs: unknown) {
  const args = parse(GetJobInput, rawArgs);
  return jobResult(await readJob(args.jobId, principal));
}

async function uploadDocument(principal: Principal, meta: RequestMeta, rawArgs: unknown): Promise<CallToolResult> {
  requireRole(principal, "operator");
  const args = parse(UploadDocumentInput, rawArgs);
  const doc = await storeDocument(principal, await decodeDocument(args.content, args.filename), meta);
  const uri = documentUri(doc.id);
  return {
    content: [
      { type: "resource_link", uri, name: args.filename, mimeType: doc.mimeType, description: `Stored document ${doc.id} (${doc.sizeBytes} bytes).` },
    ],
    structuredContent: { uri, document: { ...doc, filename: args.filename } },
  };
}

/** A stored document by id, as submitJob takes it (the upsert by sha256 finds the same row). */
async function storedDocument(principal: Principal, documentId: string) {
  if (!(await mayReadDocument(principal, documentId))) {
    throw new GatewayToolError("document_not_found", "There is no document with this id.", 404);
  }
  const doc = await serverContext().db.document.findUnique({
    where: { id: documentId },
    select: { bytes: true, filename: true, mimeType: true, sha256: true, pages: true },
  });
  if (!doc) throw new GatewayToolError("document_not_found", "There is no document with this id.", 404);
  return { bytes: doc.bytes as Uint8Array<ArrayBuffer>, filename: doc.filename, mimeType: doc.mimeType, sha256: doc.sha256, pages: doc.pages };
}

/** REST's rule over the cached catalogue. */
async function resolveServices(requested: string[]): Promise<{ name: string; tool: string }[]> {
  return chooseServices(requested, [...(await loadCatalog()).services.values()]);
}

// ---- Errors ------------------------------------------------------------------------------

function parse<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue?.path.length ? `\`${issue.path.map(String).join(".")}\`: ` : "";
  throw new GatewayToolError("invalid_input", `Invalid arguments: ${where}${issue?.message ?? "the input is invalid."}`);
}

/** A tool error (`isError`) carrying the REST error code and status in `_meta`. */
export function toolError(code: string, message: string, status: number, retryAfter?: number): CallToolResult {
  const after = retryAfter ?? (status === 503 ? 5 : undefined);
  return {
    isError: true,
    content: [{ type: "text", text: message }],
    _meta: { "docgate/error": { code, status, ...(after !== undefined ? { retryAfter: after } : {}) } },
  };
}

function gatewayError(error: unknown): CallToolResult {
  if (error instanceof GatewayToolError) return toolError(error.code, error.message, error.status);
  if (error instanceof ApiError) {
    const after = Number(error.headers["Retry-After"]);
    return toolError(error.code, error.message, error.status, Number.isFinite(after) && after > 0 ? after : undefined);
  }
  if (isDependencyUnavailable(error)) {
    return toolError("dependency_unavailable", "A backing service is unavailable; try again shortly.", 503);
  }
  console.error("[web] mcp tool failed", error);
  return toolError("internal_error", "Something went wrong on our side. The error was logged.", 500);
}
