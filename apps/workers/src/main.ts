// The workers' entry point: trains default models on first start, runs the system queues
// in this process, and supervises one or more worker processes per built-in service.
import { createDb } from "@docgate/db";
import { createLogger, createWorkerRedis, lineLogger, startTracing } from "@docgate/orchestrator";
import { workerEnv } from "./env";
import { ensureDefaultModels } from "./models";
import { BUILTIN_SERVICE_NAMES } from "./services";
import { startReplicaController } from "./replicas";
import { Supervisor } from "./supervisor";
import { startSystemWorkers } from "./system-worker";

// JSON lines on stdout (pino); worker processes write theirs to the same stdout.
const log = lineLogger(createLogger("workers"));
startTracing("docgate-workers");
const env = workerEnv();
const db = createDb(env.databaseUrl, { max: 4 });

try {
  await db.$queryRaw`SELECT 1`;
} catch {
  console.error(`[workers] cannot reach Postgres at ${env.databaseUrl}`);
  process.exit(1);
}
const probe = createWorkerRedis(env.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
try {
  await probe.connect();
  await probe.ping();
  probe.disconnect();
} catch {
  console.error(`[workers] cannot reach Redis at ${env.redisUrl}`);
  process.exit(1);
}

await ensureDefaultModels(db, env.cacheDir, log);
const system = await startSystemWorkers({ db, redisUrl: env.redisUrl, prefix: env.prefix, log });
const supervisor = new Supervisor(log);
// Replicas follow Service.replicasDesired / enabled live (Redis message + periodic re-read).
const replicas = await startReplicaController({ db, redisUrl: env.redisUrl, prefix: env.prefix, supervisor, log });
log(`[workers] supervising ${BUILTIN_SERVICE_NAMES.map((s) => `${s}×${supervisor.count(s)}`).join(", ")}`);

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  log(`[workers] ${signal}: finishing current tasks…`);
  await replicas.close().catch(() => {});
  await supervisor.stop();
  await system.close().catch(() => {});
  await db.$disconnect().catch(() => {});
  log("[workers] stopped");
  process.exit(0);
}
process.on("SIGINT", () => void shutdown("SIGINT"));
process.on("SIGTERM", () => void shutdown("SIGTERM"));
