import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { FetchLike } from "@modelcontextprotocol/sdk/shared/transport.js";
import { ErrorCode, McpError, type CallToolResult, type Tool } from "@modelcontextprotocol/sdk/types.js";

/** Bounds on tools/list, so a server that pages forever cannot hang or fill a host. */
const MAX_TOOL_PAGES = 20;
const MAX_TOOLS = 1_000;

/** Every page of tools/list (at most 20 pages and 1,000 tools; a repeated cursor ends it). */
export async function listAllTools(client: Client): Promise<Tool[]> {
  const tools: Tool[] = [];
  const seen = new Set<string>();
  let cursor: string | undefined;
  for (let page = 0; page < MAX_TOOL_PAGES && tools.length < MAX_TOOLS; page++) {
    const result = await client.listTools(cursor ? { cursor } : {});
    tools.push(...result.tools.slice(0, MAX_TOOLS - tools.length));
    cursor = result.nextCursor;
    if (!cursor || seen.has(cursor)) break;
    seen.add(cursor);
  }
  return tools;
}

/**
 * How a call to a remote server failed: `transport` (unreachable, HTTP error, its session
 * gone), `timeout` (no answer in time, or aborted), or `answer` (it answered with a JSON-RPC
 * error: the server works).
 */
export function classifyRemoteError(error: unknown): "transport" | "timeout" | "answer" {
  if (error instanceof McpError) {
    if (error.code === ErrorCode.RequestTimeout) return "timeout";
    if (error.code === ErrorCode.ConnectionClosed) return "transport";
    return "answer";
  }
  if (error instanceof Error && (error.name === "AbortError" || error.name === "TimeoutError")) return "timeout";
  return "transport";
}

export type RemoteMcpOptions = {
  /** Sent as `Authorization: Bearer <token>` on every request. */
  token?: string | null;
  /** Every HTTP request the transport makes goes through this (the host allowlist lives there). */
  fetch?: FetchLike;
  /** Bounds connect (initialize) and each request [10000]. */
  timeoutMs?: number;
  clientInfo?: { name: string; version: string };
};

export type RemoteMcpClient = {
  client: Client;
  listTools(): Promise<Tool[]>;
  /** The raw CallToolResult: a tool's own failure is `isError`, not a throw. */
  callTool(name: string, args: Record<string, unknown>, options?: { signal?: AbortSignal; timeoutMs?: number }): Promise<CallToolResult>;
  ping(options?: { timeoutMs?: number }): Promise<void>;
  close(): Promise<void>;
};

/** Connects an SDK Client to an MCP server over Streamable HTTP. */
export async function connectRemote(url: string, options: RemoteMcpOptions = {}): Promise<RemoteMcpClient> {
  const timeout = options.timeoutMs ?? 10_000;
  const transport = new StreamableHTTPClientTransport(new URL(url), {
    ...(options.fetch && { fetch: options.fetch }),
    ...(options.token && { requestInit: { headers: { authorization: `Bearer ${options.token}` } } }),
    // A redirect could lead past the allowlist; a server that moved is re-registered.
    redirectPolicy: "same-origin",
    reconnectionOptions: { maxReconnectionDelay: 5_000, initialReconnectionDelay: 500, reconnectionDelayGrowFactor: 2, maxRetries: 0 },
  });
  const client = new Client(options.clientInfo ?? { name: "docgate", version: "0.2.0" });
  await client.connect(transport, { timeout });
  return {
    client,
    listTools: () => listAllTools(client),
    async callTool(name, args, call = {}) {
      return (await client.callTool({ name, arguments: args }, undefined, {
        timeout: call.timeoutMs ?? timeout,
        ...(call.signal && { signal: call.signal }),
      })) as CallToolResult;
    },
    async ping(ping = {}) {
      await client.ping({ timeout: ping.timeoutMs ?? timeout });
    },
    async close() {
      // Ends the server-side session too (DELETE), when the server keeps sessions.
      await transport.terminateSession().catch(() => {});
      await client.close().catch(() => {});
    },
  };
}
