import { fork } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "bullmq";
import type { Db } from "@docgate/db";
import {
  HEALTH_CHECK_EVERY_MS, TRAIN_QUEUE, ToolCallReplies, createOrchestratorContext,
  AUTOSCALE_EVERY_MS, ExternalClients, createWorkerRedis, reconcileJobs, runAlertRound, runAutoscaler, runHealthChecks,
  failStrandedTrainings, type ReconcileCursor,
} from "@docgate/orchestrator";

const TRAIN_ENTRY = path.join(path.dirname(fileURLToPath(import.meta.url)), "train-process.ts");
const TRAIN_TIMEOUT_MS = 15 * 60_000;

/** Runs one training in a child process; resolves with its exit code. */
function trainInChild(modelId: string, log: (line: string) => void): Promise<number> {
  return new Promise((resolve) => {
    const child = fork(TRAIN_ENTRY, [modelId], { execArgv: ["--import", "tsx"], stdio: ["ignore", "pipe", "pipe", "ipc"] });
    child.stdout?.on("data", (d: Buffer) => log(d.toString().trimEnd()));
    child.stderr?.on("data", (d: Buffer) => log(d.toString().trimEnd()));
    const timer = setTimeout(() => child.kill("SIGKILL"), TRAIN_TIMEOUT_MS);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve(code ?? 1);
    });
  });
}

/**
 * Runs `round` every `everyMs` (never two at once; 0 turns it off); a failed round is logged
 * and the next one tries again.
 */
function periodic(name: string, everyMs: number, log: (line: string) => void, round: () => Promise<void>): NodeJS.Timeout | undefined {
  if (everyMs <= 0) return undefined;
  let running = false;
  return setInterval(async () => {
    if (running) return;
    running = true;
    try {
      await round();
    } catch (error) {
      log(`[${name}] skipped: ${(error as Error).message}`);
    } finally {
      running = false;
    }
  }, everyMs);
}

export type SystemWorkerOptions = {
  db: Db;
  redisUrl: string;
  prefix: string;
  reconcileEveryMs?: number;
  /** Health check interval [15000]; 0 turns the checker off. */
  healthEveryMs?: number;
  /** Autoscaler interval [15000]; 0 turns it off. Only services with a policy are touched. */
  autoscaleEveryMs?: number;
  log?: (line: string) => void;
};

/** Training, the reconciler, and the periodic health, alert and autoscaling rounds. */
export async function startSystemWorkers(options: SystemWorkerOptions) {
  const { db, prefix } = options;
  const log = options.log ?? (() => {});
  const redis = createWorkerRedis(options.redisUrl);
  const ctx = createOrchestratorContext({ db, redis, prefix });

  const trainer = new Worker(
    TRAIN_QUEUE,
    async (job) => {
      const modelId = String((job.data as { modelId?: unknown }).modelId ?? "");
      const code = await trainInChild(modelId, log);
      if (code !== 0) {
        // A crash before the child could record it: mark the version failed, keep the active one.
        await db.model.updateMany({ where: { id: modelId, status: "training" }, data: { status: "failed", error: "Training stopped unexpectedly." } });
      }
      return code;
    },
    { connection: createWorkerRedis(options.redisUrl), prefix, concurrency: 1, lockDuration: 60_000 },
  );
  trainer.on("error", (error) => log(`[train] queue error: ${error.message}`));

  let reconcileFrom: ReconcileCursor | null = null;
  const reconcile = periodic("reconcile", options.reconcileEveryMs ?? 5_000, log, async () => {
    const report = await reconcileJobs(ctx, { after: reconcileFrom });
    reconcileFrom = report.next;
    if (report.enqueued.length) log(`[reconcile] re-enqueued ${report.enqueued.length} job(s) that Redis did not hold`);
    if (report.failed.length) log(`[reconcile] failed the lost tasks of ${report.failed.length} job(s) their queue gave up on`);
    if (report.closed.length) log(`[reconcile] closed ${report.closed.length} job(s) whose tasks had all finished`);
    const stranded = await failStrandedTrainings(ctx);
    if (stranded.length) log(`[reconcile] failed ${stranded.length} model version(s) left training with no training under way`);
  });

  // With several worker hosts, one of them runs each periodic round (a Redis lock per round).
  const hostId = `${process.pid}:${Math.random().toString(36).slice(2)}`;
  const leader = async (what: string, everyMs: number) =>
    (await redis.set(`${prefix}:lock:${what}`, hostId, "PX", Math.max(100, Math.floor(everyMs * 0.8)), "NX").catch(() => null)) === "OK";

  // Health: a ping through each service's queue, HealthCheck rows, Service.status.
  const replies = new ToolCallReplies(createWorkerRedis(options.redisUrl), prefix);
  const external = new ExternalClients();
  const healthEveryMs = options.healthEveryMs ?? HEALTH_CHECK_EVERY_MS;
  const health = periodic("health", healthEveryMs, log, async () => {
    if (!(await leader("health", healthEveryMs))) return;
    const results = await runHealthChecks(ctx, replies, { timeoutMs: Math.max(1_000, Math.min(10_000, healthEveryMs)), external });
    for (const r of results.filter((x) => x.status !== "up")) log(`[health] ${r.service} ${r.status}: ${r.message ?? ""}`);
    // Alert rules read what the checks just recorded.
    const alerts = await runAlertRound(ctx);
    for (const a of alerts.fired) log(`[alert] firing ${a.rule} on ${a.service}: ${a.message}`);
    for (const a of alerts.resolved) log(`[alert] resolved ${a.rule} on ${a.service}`);
    for (const e of alerts.webhookErrors) log(`[alert] webhook failed: ${e}`);
  });

  // Autoscaling: each decision is stored, audited and announced like an admin's change.
  const autoscaleEveryMs = options.autoscaleEveryMs ?? AUTOSCALE_EVERY_MS;
  const autoscale = periodic("autoscale", autoscaleEveryMs, log, async () => {
    if (!(await leader("autoscale", autoscaleEveryMs))) return;
    for (const d of await runAutoscaler(ctx)) log(`[autoscale] ${d.service}: ${d.reason}`);
  });

  return {
    async close() {
      clearInterval(autoscale);
      clearInterval(health);
      await replies.close();
      await external.close();
      clearInterval(reconcile);
      await trainer.close();
      await ctx.close();
      redis.disconnect();
    },
  };
}
