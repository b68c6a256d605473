// One worker process for one service: started by the supervisor (main.ts) with the
// service name as its only argument.
import { createDb } from "@docgate/db";
import { createLogger, lineLogger, startTracing } from "@docgate/orchestrator";
import { workerEnv } from "./env";
import { isBuiltinService } from "./services";
import { startServiceWorker } from "./service-worker";

const service = process.argv[2] ?? "";
const env = workerEnv();
const db = createDb(env.databaseUrl, { max: 6 });
if (!isBuiltinService(service) && !(await db.service.findFirst({ where: { name: service, kind: "external" }, select: { name: true } }))) {
  console.error(`Unknown service "${service}".`);
  process.exit(2);
}
const log = lineLogger(createLogger(`worker:${service}`));
startTracing("docgate-workers");
const worker = await startServiceWorker({ db, redisUrl: env.redisUrl, prefix: env.prefix, service, log });

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  await worker.close().catch(() => {});
  await db.$disconnect().catch(() => {});
  process.exit(0);
}
process.on("SIGTERM", stop);
process.on("SIGINT", () => {}); // the supervisor decides; a terminal Ctrl-C reaches it too
process.on("disconnect", stop); // the supervisor died: do not linger as an orphan
