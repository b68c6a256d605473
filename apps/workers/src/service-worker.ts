import os from "node:os";
import { UnrecoverableError, Worker } from "bullmq";
import type { Db, Prisma } from "@docgate/db";
import { connectInMemory, ToolCallError } from "@docgate/mcp";
import { UnreadableDocumentError } from "@docgate/mcp/extraction";
import {
  HEARTBEAT_INTERVAL_MS, PermanentTaskError, TOOL_CALL_JOB_NAME, TaskPayloadSchema, ToolCallPayloadSchema, answerToolCall,
  createOrchestratorContext, createWorkerRedis, deregisterInstance, heartbeat, registerInstance, runTask, serviceQueueName,
  startToolCallConsumer, type TaskHandler, type ToolCallResult,
} from "@docgate/orchestrator";
import { createDocumentSource } from "./documents";
import { createBuiltinService, type BuiltinServiceName } from "./services";

export type ServiceWorkerOptions = {
  db: Db;
  redisUrl: string;
  prefix: string;
  service: BuiltinServiceName;
  log?: (line: string) => void;
};

/**
 * One worker process's share of a service: a BullMQ Worker on `svc.<service>` whose jobs call
 * the service's MCP server in-process through an SDK Client (real MCP, no network hop).
 */
export async function startServiceWorker(options: ServiceWorkerOptions) {
  const { db, service, prefix } = options;
  const log = options.log ?? (() => {});
  const config = await db.service.findUniqueOrThrow({ where: { name: service } });
  const builtin = createBuiltinService(service, db, createDocumentSource(db));
  const mcp = await connectInMemory(builtin.server);
  const tools = await mcp.listTools();

  const redis = createWorkerRedis(options.redisUrl);
  const ctx = createOrchestratorContext({ db, redis, prefix });
  const instanceId = await registerInstance(db, {
    service,
    version: builtin.version,
    // The catalog the MCP gateway lists as `<service>.<tool>`: everything tools/list said, annotations included.
    tools: tools.map((t) => ({
      name: t.name, title: t.title ?? null, description: t.description ?? null, inputSchema: t.inputSchema,
      outputSchema: t.outputSchema ?? null, annotations: t.annotations ?? null,
    })) as Prisma.InputJsonValue,
    host: os.hostname(),
    pid: process.pid,
    concurrency: config.concurrency,
  });

  const handler: TaskHandler = {
    cacheKey: async (p) => `${p.service}:${p.tool}:${p.sha256}:${await builtin.cacheVariant(p)}`,
    async call(p) {
      try {
        return await mcp.callTool(p.tool, builtin.toolArguments(p));
      } catch (error) {
        if (error instanceof ToolCallError) throw new PermanentTaskError("tool_error", error.message);
        if (error instanceof UnreadableDocumentError) throw new PermanentTaskError("unreadable_document", error.message);
        throw error;
      }
    },
  };

  const callToolRaw = async (tool: string, args: Record<string, unknown>, signal: AbortSignal) =>
    (await mcp.client.callTool({ name: tool, arguments: args }, undefined, { signal })) as ToolCallResult;

  let active = 0;
  const worker = new Worker(
    serviceQueueName(service),
    async (job) => {
      if (job.name === TOOL_CALL_JOB_NAME) {
        // A direct `<service>.<tool>` call from the MCP gateway: the raw CallToolResult goes back
        // on the caller's reply channel (bad arguments are the tool's own `isError` answer).
        const call = ToolCallPayloadSchema.safeParse(job.data);
        if (!call.success) throw new UnrecoverableError(`Malformed tool call payload: ${call.error.message}`);
        active++;
        try {
          return await answerToolCall(redis, call.data, callToolRaw, { timeoutMs: config.timeoutMs });
        } finally {
          active--;
        }
      }
      const payload = TaskPayloadSchema.safeParse(job.data);
      if (!payload.success) throw new UnrecoverableError(`Malformed task payload: ${payload.error.message}`);
      active++;
      try {
        const outcome = await runTask(ctx, payload.data, handler, {
          number: job.attemptsMade + 1,
          max: job.opts.attempts ?? 1,
          timeoutMs: config.timeoutMs,
        });
        if (outcome.kind === "retry") throw new Error(outcome.error.message);
        return outcome.status;
      } finally {
        active--;
      }
    },
    { connection: createWorkerRedis(options.redisUrl), prefix, concurrency: config.concurrency, autorun: true },
  );
  worker.on("error", (error) => log(`[${service}] queue error: ${error.message}`));
  // Direct `<service>.<tool>` calls from the MCP gateway (the fast way in; see tool-calls.ts).
  const toolCalls = startToolCallConsumer({
    blocking: createWorkerRedis(options.redisUrl),
    publisher: redis,
    prefix,
    service,
    concurrency: config.concurrency,
    timeoutMs: config.timeoutMs,
    call: callToolRaw,
    log,
    onActive: (delta) => (active += delta),
  });

  const beat = setInterval(() => {
    heartbeat(db, instanceId, active).catch((error: Error) => log(`[${service}] heartbeat failed: ${error.message}`));
  }, HEARTBEAT_INTERVAL_MS);
  beat.unref();
  log(`[${service}] worker ${instanceId} ready (concurrency ${config.concurrency}, tools: ${tools.map((t) => t.name).join(", ")})`);

  return {
    instanceId,
    async close() {
      clearInterval(beat);
      await toolCalls.close();
      await worker.close();
      await ctx.close();
      await mcp.close();
      await deregisterInstance(db, instanceId).catch(() => {});
      redis.disconnect();
    },
  };
}
