import { randomBytes, randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import { z } from "zod";
import type { OrchestratorContext } from "./context";
import { serviceQueueName } from "./queues";
import { withTimeout } from "./timeout";

/**
 * Direct tool calls (the MCP gateway's `<service>.<tool>`), answered by whichever worker
 * process of the service takes them, through the MCP server that worker hosts. Two ways in:
 *
 * - `list` (default): LPUSH onto `<prefix>:svc.<service>:calls`; each worker process BRPOPs
 *   it. Two Redis round trips per call (push, pop) plus the reply.
 * - `bullmq`: a job named `tool.call` on the service's `svc.<service>` queue, sharing the
 *   Worker (and its concurrency) with document tasks. Four Lua-script round trips per call
 *   (add, wake, move to active, move to completed); measured slower (bench/results/mcp-gateway.md).
 *
 * Calls are ephemeral RPC: no retries, no stalled-job recovery (a caller that gets no answer
 * gets a timeout error and may call again), and a call whose caller gave up is skipped. The
 * answer comes back on the caller's own Redis pub/sub channel (one per gateway process): no
 * result is stored in Redis, and the caller is woken by one PUBLISH.
 */
export const TOOL_CALL_JOB_NAME = "tool.call";
export const toolCallListKey = (prefix: string, service: string) => `${prefix}:${serviceQueueName(service)}:calls`;
/** An abandoned call list (no worker left) disappears after this long without a push. */
const CALL_LIST_TTL_MS = 60_000;

export const ToolCallPayloadSchema = z.object({
  v: z.literal(1),
  callId: z.string(),
  tool: z.string(),
  arguments: z.record(z.string(), z.unknown()),
  /** The channel the answer is published on. */
  replyTo: z.string(),
  /** Epoch ms after which nobody waits for the answer: the worker skips the call. */
  deadline: z.number(),
});
export type ToolCallPayload = z.infer<typeof ToolCallPayloadSchema>;

/** What a tool answered: an MCP CallToolResult (which may itself be `isError`). */
export type ToolCallResult = {
  content: unknown[];
  structuredContent?: Record<string, unknown>;
  isError?: boolean;
  [key: string]: unknown;
};

type Reply = { callId: string; result: ToolCallResult } | { callId: string; error: { code: string; message: string } };

/** The gateway could not get an answer (Redis down, no worker, too slow): a 503-style failure. */
export class ToolCallUnavailableError extends Error {
  constructor(readonly code: "queue_unavailable" | "timeout", message: string) {
    super(message);
    this.name = "ToolCallUnavailableError";
  }
}

/**
 * One per gateway process: subscribes once to this process's reply channel and hands each
 * answer to the call waiting for it.
 */
export class ToolCallReplies {
  readonly channel: string;
  private readonly waiting = new Map<string, (reply: Reply) => void>();
  private ready: Promise<void> | null = null;

  constructor(private readonly subscriber: Redis, prefix: string) {
    this.channel = `${prefix}:mcp:reply:${randomBytes(8).toString("hex")}`;
    this.subscriber.on("message", (channel: string, message: string) => {
      if (channel !== this.channel) return;
      try {
        const reply = JSON.parse(message) as Reply;
        this.waiting.get(reply.callId)?.(reply);
      } catch {
        // A malformed reply is dropped; its caller times out.
      }
    });
  }

  /** Subscribes (once); rejects within `timeoutMs` while Redis is unreachable. */
  start(timeoutMs = 2_000): Promise<void> {
    this.ready ??= withTimeout(this.subscriber.subscribe(this.channel).then(() => undefined), timeoutMs, "subscribe timed out").catch((error) => {
      this.ready = null;
      throw error;
    });
    return this.ready;
  }

  wait(callId: string, timeoutMs: number, signal?: AbortSignal): { reply: Promise<Reply>; cancel(): void } {
    let timer: NodeJS.Timeout | undefined;
    let cancel = () => {};
    const reply = new Promise<Reply>((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        this.waiting.delete(callId);
        signal?.removeEventListener("abort", onAbort);
      };
      const onAbort = () => {
        done();
        reject(new ToolCallUnavailableError("timeout", "The call was cancelled."));
      };
      this.waiting.set(callId, (r) => {
        done();
        resolve(r);
      });
      timer = setTimeout(() => {
        done();
        reject(new ToolCallUnavailableError("timeout", `No worker answered within ${Math.round(timeoutMs / 1000)} s; try again shortly.`));
      }, timeoutMs);
      signal?.addEventListener("abort", onAbort, { once: true });
      cancel = done;
      if (signal?.aborted) onAbort();
    });
    return { reply, cancel: () => cancel() };
  }

  async close(): Promise<void> {
    this.waiting.clear();
    this.subscriber.disconnect();
  }
}

const ENQUEUE_TIMEOUT_MS = 2_000;

/**
 * Calls `tool` on a worker of `service` and waits for its CallToolResult. Throws
 * ToolCallUnavailableError when the queue cannot be reached or nobody answers in time; a
 * tool's own failure is a result with `isError: true`, not an exception.
 */
export async function callServiceTool(
  ctx: OrchestratorContext,
  replies: ToolCallReplies,
  call: { service: string; tool: string; arguments: Record<string, unknown>; timeoutMs: number; signal?: AbortSignal; via?: "list" | "bullmq" },
): Promise<ToolCallResult> {
  try {
    await replies.start();
  } catch {
    throw new ToolCallUnavailableError("queue_unavailable", "The work queue is unavailable; try again shortly.");
  }
  const callId = randomUUID();
  const payload: ToolCallPayload = {
    v: 1, callId, tool: call.tool, arguments: call.arguments, replyTo: replies.channel, deadline: Date.now() + call.timeoutMs,
  };
  const pending = replies.wait(callId, call.timeoutMs, call.signal);
  pending.reply.catch(() => {}); // observed below; never an unhandled rejection
  try {
    const push: Promise<unknown> = call.via === "bullmq"
      ? ctx.queue(serviceQueueName(call.service)).add(TOOL_CALL_JOB_NAME, payload, {
          jobId: `call-${callId}`, attempts: 1, removeOnComplete: true, removeOnFail: true,
        })
      : ctx.redis.pipeline()
          .lpush(toolCallListKey(ctx.prefix, call.service), JSON.stringify(payload))
          .pexpire(toolCallListKey(ctx.prefix, call.service), CALL_LIST_TTL_MS)
          .exec()
          .then((results) => {
            const failed = results?.find(([error]) => error);
            if (!results || failed) throw failed?.[0] ?? new Error("push failed");
          });
    await withTimeout(push, ENQUEUE_TIMEOUT_MS, "enqueue timed out");
  } catch {
    pending.cancel();
    throw new ToolCallUnavailableError("queue_unavailable", "The work queue is unavailable; try again shortly.");
  }
  const reply = await pending.reply;
  if ("error" in reply) return toolErrorResult(reply.error.message);
  return reply.result;
}

/** Worker side: answers one `tool.call` job on its reply channel. Never throws for a tool failure. */
export async function answerToolCall(
  redis: Redis,
  payload: ToolCallPayload,
  call: (tool: string, args: Record<string, unknown>, signal: AbortSignal) => Promise<ToolCallResult>,
  options: { timeoutMs: number },
): Promise<"answered" | "expired"> {
  const left = payload.deadline - Date.now();
  if (left <= 0) return "expired"; // the caller gave up already
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let reply: Reply;
  try {
    const timeoutMs = Math.min(left, options.timeoutMs);
    const result = await Promise.race([
      call(payload.tool, payload.arguments, controller.signal),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          controller.abort();
          reject(new Error(`The tool did not answer within ${timeoutMs} ms.`));
        }, timeoutMs);
      }),
    ]);
    reply = { callId: payload.callId, result };
  } catch (error) {
    const message = error instanceof Error && error.message ? error.message : "The tool failed without a message.";
    reply = { callId: payload.callId, error: { code: "tool_failed", message } };
  } finally {
    clearTimeout(timer);
  }
  await redis.publish(payload.replyTo, JSON.stringify(reply));
  return "answered";
}

/**
 * Worker side of the `list` way in: BRPOPs `<prefix>:svc.<service>:calls` on its own blocking
 * connection and answers up to `concurrency` calls at a time.
 */
export function startToolCallConsumer(options: {
  blocking: Redis;
  publisher: Redis;
  prefix: string;
  service: string;
  concurrency: number;
  timeoutMs: number;
  call: (tool: string, args: Record<string, unknown>, signal: AbortSignal) => Promise<ToolCallResult>;
  /** The service's rate limit (calls per second across hosts), read per call; null for none. */
  rateLimitPerSecond?: () => number | null;
  log?: (line: string) => void;
  onActive?: (delta: 1 | -1) => void;
}): { close(): Promise<void> } {
  const key = toolCallListKey(options.prefix, options.service);
  let active = 0;
  let stopping = false;
  let freed: (() => void) | null = null;
  const loop = (async () => {
    while (!stopping) {
      if (active >= options.concurrency) {
        await new Promise<void>((resolve) => (freed = resolve));
        continue;
      }
      let popped: [string, string] | null;
      try {
        popped = await options.blocking.brpop(key, 1);
      } catch (error) {
        if (stopping) break;
        options.log?.(`[${options.service}] tool call queue error: ${(error as Error).message}`);
        await new Promise((r) => setTimeout(r, 500));
        continue;
      }
      if (!popped) continue;
      const parsed = ToolCallPayloadSchema.safeParse(safeJson(popped[1]));
      if (!parsed.success) continue; // malformed: nobody can be answered
      await waitForRateLimit(options.publisher, options.prefix, options.service, options.rateLimitPerSecond?.() ?? null, () => stopping);
      active++;
      options.onActive?.(1);
      answerToolCall(options.publisher, parsed.data, options.call, { timeoutMs: options.timeoutMs })
        .catch((error: Error) => options.log?.(`[${options.service}] tool call reply failed: ${error.message}`))
        .finally(() => {
          active--;
          options.onActive?.(-1);
          const wake = freed;
          freed = null;
          wake?.();
        });
    }
  })();
  return {
    async close() {
      stopping = true;
      freed?.();
      options.blocking.disconnect();
      await loop.catch(() => {});
    },
  };
}

/**
 * Direct calls count against the same window as the service's queued tasks: BullMQ's limiter
 * counter for the queue (`<prefix>:svc.<service>:limiter`, INCR with a PEXPIRE on the first
 * hit), so one limit holds for both ways in across every host. Over the limit, wait out the
 * window. With Redis away, calls are not held back (the call itself will fail soon enough).
 */
async function waitForRateLimit(redis: Redis, prefix: string, service: string, perSecond: number | null, stopping: () => boolean) {
  if (!perSecond) return;
  const key = `${prefix}:${serviceQueueName(service)}:limiter`;
  while (!stopping()) {
    try {
      // One round trip, and the window always ends: a lost PEXPIRE would block calls for good.
      const [[, count] = []] = (await redis.multi().incr(key).pexpire(key, 1_000, "NX").exec()) ?? [];
      if (typeof count !== "number" || count <= perSecond) return;
      const ttl = await redis.pttl(key);
      await new Promise((r) => setTimeout(r, Math.max(10, ttl > 0 ? ttl : 50)));
    } catch {
      return;
    }
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

export function toolErrorResult(message: string): ToolCallResult {
  return { isError: true, content: [{ type: "text", text: message }] };
}
