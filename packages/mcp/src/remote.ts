import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { FetchLike } from "@modelcontextprotocol/sdk/shared/transport.js";
import type { CallToolResult, Tool } from "@modelcontextprotocol/sdk/types.js";

/** Every page of tools/list. */
export async function listAllTools(client: Client): Promise<Tool[]> {
  const tools: Tool[] = [];
  let cursor: string | undefined;
  do {
    const page = await client.listTools(cursor ? { cursor } : {});
    tools.push(...page.tools);
    cursor = page.nextCursor;
  } while (cursor);
  return tools;
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
