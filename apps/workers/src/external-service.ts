import type { Db, Prisma } from "@docgate/db";
import { classifyRemoteError, type DocumentSource } from "@docgate/mcp";
import { UnreadableDocumentError } from "@docgate/mcp/extraction";
import {
  BreakerOpenError, CircuitBreaker, DependencyUnavailableError, ExternalClients, HostNotAllowedError, PermanentTaskError, documentArguments,
  isDependencyUnavailable,
  type DocumentMapping, type ToolCallResult,
} from "@docgate/orchestrator";
import type { Redis } from "ioredis";
import type { ServiceBackend } from "./services";

type ExternalRow = {
  name: string; url: string | null; token: string | null; timeoutMs: number; tool: string | null;
  documentArgument: string | null; documentMapping: string; version: string | null; breakerOpenUntil: Date | null;
};

/** How long a read of the Service row (url, token, tool, mapping) is reused between calls. */
const ROW_TTL_MS = 2_000;

/**
 * An external MCP server as a worker serves it: tasks and direct calls go over Streamable
 * HTTP (one session per process), behind the allowlist and a circuit breaker shared by every
 * host. Results are not cached: an external tool's answer may change without Docgate knowing.
 */
export async function createExternalBackend(deps: { db: Db; redis: Redis; prefix: string; documents: DocumentSource; name: string }): Promise<ServiceBackend> {
  const { db, name } = deps;
  const read = () => db.service.findUniqueOrThrow({
    where: { name },
    select: { name: true, url: true, token: true, timeoutMs: true, tool: true, documentArgument: true, documentMapping: true, version: true, breakerOpenUntil: true },
  });
  let row: ExternalRow = await read();
  let readAt = Date.now();
  const current = async () => {
    if (Date.now() - readAt > ROW_TTL_MS) {
      row = await read();
      readAt = Date.now();
      breaker.sync(row.breakerOpenUntil);
    }
    return row;
  };
  const clients = new ExternalClients();
  // A probe may take as long as a call: its turn must not lapse before it answers.
  const breaker = new CircuitBreaker({ db, redis: deps.redis, prefix: deps.prefix }, name, { probeTtlMs: row.timeoutMs + 5_000 });
  breaker.sync(row.breakerOpenUntil);

  /**
   * One guarded call: fast failure while the breaker is open; transport failures count against
   * it. What it reads of our own Postgres and Redis first (the service row, the breaker, the
   * document) failing for want of them is our outage, not the call's: DependencyUnavailableError.
   */
  const guarded = async (tool: string, args: (r: ExternalRow) => Promise<Record<string, unknown>>, signal?: AbortSignal): Promise<ToolCallResult> => {
    const r = await ours(current());
    if (!r.url) throw new PermanentTaskError("service_misconfigured", `The ${name} service has no URL.`);
    const admission = await ours(breaker.admit());
    if (!admission.ok) throw new BreakerOpenError(name, admission.retryAt);
    let input: Record<string, unknown>;
    try {
      // A document that cannot be read is the document's failure, not the server's.
      input = await ours(args(r));
    } catch (error) {
      await breaker.release(admission);
      throw error;
    }
    let result: ToolCallResult;
    try {
      const endpoint = { name, url: r.url, token: r.token, timeoutMs: r.timeoutMs };
      result = (await clients.use(endpoint, (c) => c.callTool(tool, input, { signal, timeoutMs: r.timeoutMs }))) as ToolCallResult;
    } catch (error) {
      if (error instanceof HostNotAllowedError) {
        await breaker.release(admission);
        throw new PermanentTaskError("host_not_allowed", error.message);
      }
      if (classifyRemoteError(error) === "answer") {
        // The server is up and refused this call (bad arguments, unknown tool): not the breaker's business.
        await breaker.succeeded(admission);
        throw new PermanentTaskError("tool_error", (error as Error).message.slice(0, 2_000));
      }
      await breaker.failed(admission);
      throw error;
    }
    await breaker.succeeded(admission);
    return result;
  };

  return {
    version: row.version ?? "external",
    tools: null,
    handler: {
      cacheKey: async () => null,
      async call(payload, signal) {
        let result: ToolCallResult;
        try {
          result = await guarded(payload.tool, async (r) => {
            const doc = await db.document.findUniqueOrThrow({ where: { id: payload.documentId }, select: { id: true, filename: true, mimeType: true } });
            return documentArguments((r.documentMapping as DocumentMapping) ?? "text", r.documentArgument ?? "text", {
              ...doc,
              text: async () => (await deps.documents.getText(doc.id)).text,
              bytes: async () => (await db.document.findUniqueOrThrow({ where: { id: doc.id }, select: { bytes: true } })).bytes,
            });
          }, signal);
        } catch (error) {
          if (error instanceof BreakerOpenError) throw new PermanentTaskError(error.code, error.message);
          if (error instanceof UnreadableDocumentError) throw new PermanentTaskError("unreadable_document", error.message);
          throw error;
        }
        if (result.isError) throw new PermanentTaskError("tool_error", toolText(result) || `The ${name} service's tool ${payload.tool} failed.`);
        return (result.structuredContent ?? { content: result.content }) as Prisma.InputJsonValue;
      },
    },
    callTool: (tool, args, signal) => guarded(tool, async () => args, signal),
    sync: (settings) => {
      if ("breakerOpenUntil" in settings) breaker.sync(settings.breakerOpenUntil ?? null);
      readAt = 0;
    },
    close: () => clients.close(),
  };
}

/** Our own store unreachable under a read: marked so runTask leaves the task to the worker's outage path. */
function ours<T>(reading: Promise<T>): Promise<T> {
  return reading.catch((error: unknown) => {
    throw isDependencyUnavailable(error) ? new DependencyUnavailableError((error as Error).message, { cause: error }) : error;
  });
}

function toolText(result: ToolCallResult): string {
  return (Array.isArray(result.content) ? result.content : [])
    .map((c) => (c && typeof c === "object" && (c as { type?: string }).type === "text" ? String((c as { text?: unknown }).text ?? "") : ""))
    .join("\n")
    .trim()
    .slice(0, 2_000);
}
