import { handle } from "~/server/errors";
import { handleMcpRequest } from "~/server/mcp/http";

// MCP Streamable HTTP gateway (stateless): see docs/mcp.md.
export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const POST = handle(handleMcpRequest);
export const GET = handle(handleMcpRequest);
export const DELETE = handle(handleMcpRequest);
