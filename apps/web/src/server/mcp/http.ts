import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import { ApiError, errorResponse } from "../errors";
import { env } from "../env";
import { authenticate, principalHeaders, type Principal } from "../principal";
import { clientIp } from "../process";
import { catalogFingerprint, loadCatalog } from "./catalog";
import { createGatewayServer, type RequestMeta } from "./server";

let streams = 0;
/** Open GET notification streams in this process (tests, metrics). */
export const openNotificationStreams = () => streams;

/** How often an open GET stream checks whether the caller's tool list changed. */
export const LIST_CHANGED_CHECK_MS = 3_000;

/**
 * `/api/mcp`: MCP Streamable HTTP, stateless. Each POST gets its own SDK Server and
 * transport (cheap: no session, the catalog and keys are cached per process), so any web copy
 * answers any request. Answers are plain JSON, except a request that can receive
 * notifications on the way (a tools/call with a progressToken, tasks/result), which is
 * answered as an SSE stream. A GET opens the server-to-client stream that carries
 * notifications/tools/list_changed.
 */
export async function handleMcpRequest(request: Request): Promise<Response> {
  let principal: Principal;
  try {
    // A signed request's body is read for its hash: up to this endpoint's own cap.
    principal = await authenticate(request, { maxBodyBytes: maxBodyBytes() });
  } catch (error) {
    if (error instanceof ApiError) {
      const headers = error.status === 401 ? { ...error.headers, "WWW-Authenticate": 'Bearer realm="docgate"' } : error.headers;
      return errorResponse(error.status, error.code, error.message, headers);
    }
    throw error; // handle(): 503 for an unreachable dependency, else 500
  }
  const meta: RequestMeta = { ip: clientIp(request), userAgent: request.headers.get("user-agent") };

  if (request.method === "GET") return openNotificationStream(request, principal, meta);
  if (request.method === "DELETE") {
    // Stateless: there is no session to end.
    return errorResponse(405, "method_not_allowed", "This MCP endpoint is stateless; there is no session to delete.", { Allow: "GET, POST" });
  }
  if (request.method !== "POST") return errorResponse(405, "method_not_allowed", "Use POST (or GET for notifications).", { Allow: "GET, POST" });

  const body = await readJsonBody(request, maxBodyBytes());
  if (!body.ok) return body.response;

  const server = createGatewayServer(principal, meta, { taskProgress: isTaskResult(body.value) });
  const transport = new WebStandardStreamableHTTPServerTransport({
    sessionIdGenerator: undefined,
    enableJsonResponse: !wantsStream(body.value),
  });
  await server.connect(transport);
  // Listened to before handleRequest, which in JSON mode resolves only when every answer is
  // ready: a client hanging up during a synchronous process_document ends its wait (closing the
  // server aborts the handlers). A closed transport never settles that promise, so the hang-up answers.
  if (request.signal.aborted) {
    await server.close();
    return clientGone();
  }
  const hungUp = new Promise<Response>((resolve) => request.signal.addEventListener("abort", () => {
    void server.close();
    resolve(clientGone());
  }, { once: true }));
  const response = await Promise.race([hungUp, transport.handleRequest(request, { parsedBody: body.value })]);
  return withHeaders(response, principalHeaders(principal));
}

/** For a client that hung up: nobody reads it (499 as nginx logs a closed request). */
const clientGone = () => new Response(null, { status: 499 });

/** Requests that may carry notifications before their answer get SSE; the rest plain JSON. */
function wantsStream(body: unknown): boolean {
  const messages = Array.isArray(body) ? body : [body];
  return messages.some((m) => {
    const msg = m as { method?: string; params?: { _meta?: { progressToken?: unknown }; task?: unknown } } | null;
    if (msg?.method === "tasks/result") return true;
    return msg?.method === "tools/call" && msg.params?._meta?.progressToken !== undefined && !msg.params.task;
  });
}

/** The key's X-RateLimit-* headers, as on REST responses. */
function withHeaders(response: Response, extra: Record<string, string>): Response {
  if (Object.keys(extra).length === 0) return response;
  const headers = new Headers(response.headers);
  for (const [name, value] of Object.entries(extra)) headers.set(name, value);
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

function isTaskResult(body: unknown): boolean {
  return (Array.isArray(body) ? body : [body]).some((m) => (m as { method?: string } | null)?.method === "tasks/result");
}

/** base64 inflates by 4/3; leave room for the JSON-RPC envelope. */
const maxBodyBytes = () => Math.ceil((env().DOCGATE_MAX_UPLOAD_BYTES * 4) / 3) + 1_048_576;

async function readJsonBody(request: Request, limit: number): Promise<{ ok: true; value: unknown } | { ok: false; response: Response }> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > limit) return { ok: false, response: jsonRpcError(413, -32000, `The request is larger than ${limit} bytes.`) };
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (request.body) {
    const reader = request.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > limit) {
        await reader.cancel().catch(() => {});
        return { ok: false, response: jsonRpcError(413, -32000, `The request is larger than ${limit} bytes.`) };
      }
      chunks.push(value);
    }
  }
  try {
    return { ok: true, value: JSON.parse(Buffer.concat(chunks).toString("utf8")) };
  } catch {
    return { ok: false, response: jsonRpcError(400, -32700, "Parse error: the body is not JSON.") };
  }
}

function jsonRpcError(status: number, code: number, message: string): Response {
  return Response.json({ jsonrpc: "2.0", error: { code, message }, id: null }, { status });
}

/**
 * GET: the standalone SSE stream. The server behind it stays up while the client listens and
 * sends notifications/tools/list_changed when what this caller may call changes (a service
 * enabled, disabled or re-registered with other tools).
 */
async function openNotificationStream(request: Request, principal: Principal, meta: RequestMeta): Promise<Response> {
  const server = createGatewayServer(principal, meta);
  const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined });
  await server.connect(transport);
  const response = await transport.handleRequest(request);
  if (!response.ok || !response.body) return response;

  let fingerprint = catalogFingerprint(await loadCatalog(), principal);
  streams++;
  const timer = setInterval(() => {
    loadCatalog()
      .then((catalog) => {
        const next = catalogFingerprint(catalog, principal);
        if (next === fingerprint) return;
        fingerprint = next;
        return server.sendToolListChanged();
      })
      .catch(() => {});
  }, LIST_CHANGED_CHECK_MS);
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    streams--;
    clearInterval(timer);
    void server.close().catch(() => {});
  };
  request.signal?.addEventListener("abort", stop, { once: true });

  // Pass the stream through so a client hanging up also stops the timer.
  const reader = response.body.getReader();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { done, value } = await reader.read();
      if (done) {
        stop();
        controller.close();
      } else {
        controller.enqueue(value);
      }
    },
    async cancel() {
      stop();
      await reader.cancel().catch(() => {});
    },
  });
  return new Response(body, { status: response.status, headers: response.headers });
}
