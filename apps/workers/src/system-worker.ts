import { Worker } from "bullmq";
import type { Db } from "@docgate/db";
import {
  AGGREGATE_QUEUE, AggregatePayloadSchema, aggregateJob, createOrchestratorContext, createWorkerRedis, reconcileJobs,
} from "@docgate/orchestrator";

export type SystemWorkerOptions = {
  db: Db;
  redisUrl: string;
  prefix: string;
  reconcileEveryMs?: number;
  log?: (line: string) => void;
};

/** Result aggregation (the parent of every job's flow) and the reconciler. */
export async function startSystemWorkers(options: SystemWorkerOptions) {
  const { db, prefix } = options;
  const log = options.log ?? (() => {});
  const redis = createWorkerRedis(options.redisUrl);
  const ctx = createOrchestratorContext({ db, redis, prefix });

  const aggregator = new Worker(
    AGGREGATE_QUEUE,
    async (job) => {
      const payload = AggregatePayloadSchema.parse(job.data);
      return aggregateJob(ctx, payload.jobId);
    },
    { connection: createWorkerRedis(options.redisUrl), prefix, concurrency: 8 },
  );
  aggregator.on("error", (error) => log(`[aggregate] queue error: ${error.message}`));

  let reconciling = false;
  const reconcile = setInterval(async () => {
    if (reconciling) return;
    reconciling = true;
    try {
      const report = await reconcileJobs(ctx);
      if (report.enqueued.length) log(`[reconcile] re-enqueued ${report.enqueued.length} job(s) that Redis did not hold`);
    } catch (error) {
      log(`[reconcile] skipped: ${(error as Error).message}`);
    } finally {
      reconciling = false;
    }
  }, options.reconcileEveryMs ?? 5_000);

  return {
    async close() {
      clearInterval(reconcile);
      await aggregator.close();
      await ctx.close();
      redis.disconnect();
    },
  };
}
