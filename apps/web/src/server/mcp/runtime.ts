import { ToolCallReplies, createFastFailRedis } from "@docgate/orchestrator";
import { AjvJsonSchemaValidator } from "@modelcontextprotocol/sdk/validation/ajv";
import { env } from "../env";

type McpRuntime = { replies: ToolCallReplies; validator: AjvJsonSchemaValidator };

const holder = globalThis as unknown as { __docgateMcp?: McpRuntime };

/** Process-wide pieces of the MCP gateway (on globalThis so dev reloads reuse them). */
export function mcpRuntime(): McpRuntime {
  if (!holder.__docgateMcp) {
    const subscriber = createFastFailRedis(env().REDIS_URL, { enableOfflineQueue: true });
    subscriber.on("error", () => {}); // surfaced per call as a "queue unavailable" tool error
    holder.__docgateMcp = {
      replies: new ToolCallReplies(subscriber, env().DOCGATE_REDIS_PREFIX),
      // Building an Ajv instance costs milliseconds: one per process, not one per request.
      validator: new AjvJsonSchemaValidator(),
    };
  }
  return holder.__docgateMcp;
}

/** Tests: drop the runtime so the next request builds one for the current environment. */
export async function resetMcpRuntime(): Promise<void> {
  await holder.__docgateMcp?.replies.close();
  holder.__docgateMcp = undefined;
}
