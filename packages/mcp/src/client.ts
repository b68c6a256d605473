import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { Tool } from "@modelcontextprotocol/sdk/types.js";
import { listAllTools } from "./remote";

/** A tool answered with `isError: true`; `message` is the tool's text. */
export class ToolCallError extends Error {
  readonly code = "tool_error";
  constructor(
    message: string,
    readonly tool: string,
  ) {
    super(message);
    this.name = "ToolCallError";
  }
}

export type InMemoryMcpClient = {
  client: Client;
  listTools(): Promise<Tool[]>;
  /** Calls a tool; returns its structuredContent or throws ToolCallError when it reports an error. */
  callTool(name: string, args: Record<string, unknown>): Promise<Record<string, unknown>>;
  close(): Promise<void>;
};

/**
 * Connects a real SDK Client to `server` over a linked in-memory transport pair (the full
 * MCP protocol, in-process). An McpServer holds one connection: use one server per client.
 */
export async function connectInMemory(
  server: McpServer,
  clientInfo: { name: string; version: string } = { name: "docgate-worker", version: "0.1.0" },
): Promise<InMemoryMcpClient> {
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
  await server.connect(serverTransport);
  const client = new Client(clientInfo);
  await client.connect(clientTransport);
  return {
    client,
    listTools: () => listAllTools(client),
    async callTool(name, args) {
      const res = await client.callTool({ name, arguments: args });
      if (res.isError) {
        const content = Array.isArray(res.content) ? res.content : [];
        const text = content
          .map((c: { type: string; text?: string }) => (c.type === "text" ? c.text ?? "" : ""))
          .join("\n")
          .trim();
        throw new ToolCallError(text || `Tool ${name} failed.`, name);
      }
      const structured = res.structuredContent;
      if (structured && typeof structured === "object") return structured as Record<string, unknown>;
      throw new ToolCallError(`Tool ${name} returned no structured content.`, name);
    },
    async close() {
      await client.close();
      await server.close();
    },
  };
}
