import os from "node:os";
import { DelayedError, UnrecoverableError, Worker } from "bullmq";
import type { Db } from "@docgate/db";
import {
  HEARTBEAT_INTERVAL_MS, MetricCounters, TOOL_CALL_JOB_NAME, createLogger, inSpan, TaskPayloadSchema, ToolCallPayloadSchema, answerToolCall,
  createOrchestratorContext, createWorkerRedis, deregisterInstance, heartbeat, registerInstance, runTask, serviceQueueName,
  readServiceSettings, serviceSettingsChannel, startToolCallConsumer, type ServiceSettings, type ToolCallResult,
  isDependencyUnavailable,
} from "@docgate/orchestrator";
import { createMetricsBuffer } from "./metrics-buffer";
import { createDocumentSource } from "./documents";
import { runInTaskScope } from "./task-scope";
import { createServiceBackend } from "./services";

export type ServiceWorkerOptions = {
  db: Db;
  redisUrl: string;
  prefix: string;
  /** A built-in service, or an external one registered in Postgres. */
  service: string;
  log?: (line: string) => void;
  /** How often the Service row is re-read, besides the Redis change message [3000]. */
  settingsEveryMs?: number;
};

/** How long a task waits before it is tried again while Postgres or Redis is unreachable. */
const OUTAGE_RETRY_MS = 2_000;
/**
 * Runs of one queue entry (about 30 minutes of outage retries) after which what looks like an
 * outage counts as the task's own failure (runTask, waitOutOutage): a built-in tool's error is
 * judged by its text, and a text that merely looks like an outage must not retry forever.
 */
const MAX_OUTAGE_RUNS = 900;

const limiterFor = (perSecond: number | null) => (perSecond ? { max: perSecond, duration: 1_000 } : undefined);

/** The task failed and asks BullMQ for its next attempt (with backoff). */
class TaskRetry extends Error {}

export type ServiceWorkerHandle = Awaited<ReturnType<typeof startServiceWorker>>;
/** The service workers running in this process (diagnostics and in-process tests). */
export const runningServiceWorkers = new Set<ServiceWorkerHandle>();

/**
 * One worker process's share of a service: a BullMQ Worker on `svc.<service>` whose jobs call
 * the service's MCP server in-process through an SDK Client (real MCP, no network hop).
 */
export async function startServiceWorker(options: ServiceWorkerOptions) {
  const { db, service, prefix } = options;
  const log = options.log ?? (() => {});
  const config = await db.service.findUniqueOrThrow({ where: { name: service } });
  const redis = createWorkerRedis(options.redisUrl);
  const backend = await createServiceBackend({ db, redis, prefix, documents: createDocumentSource(db), name: service, kind: config.kind });
  const ctx = createOrchestratorContext({ db, redis, prefix });
  const instanceId = await registerInstance(db, {
    service,
    version: backend.version,
    tools: backend.tools,
    host: os.hostname(),
    pid: process.pid,
    concurrency: config.concurrency,
  });

  let settings: ServiceSettings = {
    name: config.name, enabled: config.enabled, paused: config.paused, concurrency: config.concurrency,
    replicasDesired: config.replicasDesired, rateLimitPerSecond: config.rateLimitPerSecond, timeoutMs: config.timeoutMs,
    breakerOpenUntil: config.breakerOpenUntil,
  };
  const handler = backend.handler;

  const metrics = createMetricsBuffer(db, { log });
  // Platform-wide counters (Redis) for /api/metrics, and one structured line per task.
  const counters = new MetricCounters(redis, prefix);
  const taskLog = createLogger(`worker:${service}`);
  const callToolRaw = async (tool: string, args: Record<string, unknown>, signal: AbortSignal) => {
    const started = performance.now();
    let ok = false;
    try {
      const result = await backend.callTool(tool, args, signal);
      ok = !result.isError;
      return result;
    } finally {
      metrics.record({ service, tool, durationMs: Math.round(performance.now() - started), ok, source: "call" });
    }
  };

  let active = 0;
  const worker = new Worker(
    serviceQueueName(service),
    async (job, token) => {
      if (job.name === TOOL_CALL_JOB_NAME) {
        // A direct `<service>.<tool>` call from the MCP gateway: the raw CallToolResult goes back
        // on the caller's reply channel (bad arguments are the tool's own `isError` answer).
        const call = ToolCallPayloadSchema.safeParse(job.data);
        if (!call.success) throw new UnrecoverableError(`Malformed tool call payload: ${call.error.message}`);
        active++;
        try {
          return await answerToolCall(redis, call.data, callToolRaw, { timeoutMs: settings.timeoutMs });
        } finally {
          active--;
        }
      }
      const payload = TaskPayloadSchema.safeParse(job.data);
      if (!payload.success) throw new UnrecoverableError(`Malformed task payload: ${payload.error.message}`);
      active++;
      const started = performance.now();
      let ok = false;
      try {
        const { jobId, taskId, traceparent } = payload.data;
        const outcome = await inSpan(`task ${service}`, { "docgate.job_id": jobId, "docgate.task_id": taskId, "docgate.service": service }, () =>
          runInTaskScope(() => runTask(ctx, payload.data, handler, {
            number: job.attemptsMade + 1,
            max: job.opts.attempts ?? 1,
            timeoutMs: settings.timeoutMs,
            // The entry's first run: no earlier run of it can have died in the tool (BullMQ counts each start).
            firstRun: job.attemptsStarted === 1,
            waitOutOutage: job.attemptsStarted <= MAX_OUTAGE_RUNS,
          })), traceparent);
        if (outcome.kind === "retry") throw new TaskRetry(outcome.error.message);
        ok = outcome.status === "succeeded";
        return outcome.status;
      } catch (error) {
        // Postgres (or Redis) unreachable is not the task's fault: try again later without using an attempt.
        // (A task's own failure, whatever its text says, spends its attempt.)
        if (token && !(error instanceof TaskRetry) && isDependencyUnavailable(error)) {
          await job.moveToDelayed(Date.now() + OUTAGE_RETRY_MS, token);
          throw new DelayedError();
        }
        throw error;
      } finally {
        active--;
        const durationMs = Math.round(performance.now() - started);
        metrics.record({ service, tool: payload.data.tool, durationMs, ok, source: "task" });
        counters.observe("task_duration_seconds", { service, outcome: ok ? "succeeded" : "failed" }, durationMs / 1000);
        const { requestId, jobId, taskId } = payload.data;
        taskLog.info({ requestId, jobId, taskId, service, attempt: job.attemptsMade + 1, ok, durationMs }, "task");
      }
    },
    {
      connection: createWorkerRedis(options.redisUrl), prefix, concurrency: config.concurrency, autorun: !config.paused,
      limiter: limiterFor(config.rateLimitPerSecond),
      // BullMQ's default, stated because runTask relies on it: an entry whose run died goes back
      // to the queue once, and that second run records its start before the call (firstRun).
      maxStalledCount: 1,
    },
  );
  worker.on("error", (error) => log(`[${service}] queue error: ${error.message}`));
  // Direct `<service>.<tool>` calls from the MCP gateway (the fast way in; see tool-calls.ts).
  const toolCalls = startToolCallConsumer({
    blocking: createWorkerRedis(options.redisUrl),
    publisher: redis,
    prefix,
    service,
    // Read on every loop turn, so a concurrency change applies to direct calls too.
    get concurrency() {
      return settings.concurrency;
    },
    timeoutMs: config.timeoutMs,
    rateLimitPerSecond: () => settings.rateLimitPerSecond,
    call: callToolRaw,
    log,
    onActive: (delta) => (active += delta),
  });

  const beatNow = () =>
    heartbeat(db, instanceId, active, settings.concurrency).catch((error: Error) => log(`[${service}] heartbeat failed: ${error.message}`));
  const beat = setInterval(beatNow, HEARTBEAT_INTERVAL_MS);
  beat.unref();

  // Live settings: a Redis message when an admin changes them, and a periodic re-read of the
  // row in case a message is lost. Paused stops taking queued tasks; running ones finish. A
  // disabled service takes no new jobs at the gateway, but its workers finish the tasks it
  // accepted (replicas.ts keeps them until then).
  let applying = Promise.resolve();
  let pauseApplied = config.paused;
  const apply = (next: ServiceSettings) => {
    backend.sync?.(next);
    if (next.concurrency !== settings.concurrency) {
      worker.concurrency = next.concurrency;
      log(`[${service}] concurrency ${settings.concurrency} → ${next.concurrency}`);
    }
    if (next.rateLimitPerSecond !== settings.rateLimitPerSecond) {
      // BullMQ reads the limiter on every fetch, and its counter is shared in Redis: one limit across all hosts.
      worker.opts.limiter = limiterFor(next.rateLimitPerSecond);
      log(`[${service}] rate limit ${next.rateLimitPerSecond ?? "none"}/s`);
    }
    const wasPaused = settings.paused;
    const nowPaused = next.paused;
    const changed = next.concurrency !== settings.concurrency || wasPaused !== nowPaused;
    settings = next;
    if (wasPaused !== nowPaused) {
      if (nowPaused) {
        // Waiting for the running tasks also cuts the blocking fetch, so no queued task slips in.
        void worker.pause().then(
          () => {
            pauseApplied = worker.isPaused();
            log(`[${service}] paused`);
          },
          (error: Error) => log(`[${service}] pause failed: ${error.message}`),
        );
      } else {
        pauseApplied = false;
        // Restarts the main loop when the pause ended it (or when the worker started paused).
        void worker.resume().catch((error: Error) => log(`[${service}] resume failed: ${error.message}`));
        log(`[${service}] resumed`);
      }
    }
    if (changed) void beatNow();
  };
  const reload = () => {
    applying = applying
      .then(async () => {
        const next = await readServiceSettings(db, service);
        if (next && !closed) apply(next);
      })
      .catch((error: Error) => log(`[${service}] settings reload failed: ${error.message}`));
    return applying;
  };
  let closed = false;
  const subscriber = createWorkerRedis(options.redisUrl);
  subscriber.on("message", (_channel: string, name: string) => {
    if (name === service) void reload();
  });
  subscriber.subscribe(serviceSettingsChannel(prefix)).catch((error: Error) => log(`[${service}] settings subscribe failed: ${error.message}`));
  const reread = setInterval(() => void reload(), options.settingsEveryMs ?? 3_000);
  reread.unref();
  log(`[${service}] worker ${instanceId} ready (concurrency ${config.concurrency}${settings.paused ? ", paused" : ""}, version ${backend.version})`);

  const handle = {
    service,
    instanceId,
    /** The settings this worker applies now (tests and diagnostics). */
    settings: () => ({ ...settings, worker: { running: worker.isRunning(), paused: pauseApplied && worker.isPaused(), concurrency: worker.concurrency, limiter: worker.opts.limiter ?? null } }),
    async close() {
      if (closed) return;
      runningServiceWorkers.delete(handle);
      closed = true;
      clearInterval(beat);
      clearInterval(reread);
      subscriber.disconnect();
      await applying;
      await toolCalls.close();
      await worker.close();
      await metrics.close();
      await counters.close();
      await ctx.close();
      await backend.close();
      await deregisterInstance(db, instanceId).catch(() => {});
      redis.disconnect();
    },
  };
  runningServiceWorkers.add(handle);
  return handle;
}
