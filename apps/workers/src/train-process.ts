// Trains one model version in its own process (CPU-heavy, memory-hungry work stays out of
// the supervisor's event loop). Started by the `sys.train` worker with the model id.
import { createDb } from "@docgate/db";
import { workerEnv } from "./env";
import { trainModelVersion } from "./training";

const modelId = process.argv[2] ?? "";
const db = createDb(workerEnv().databaseUrl, { max: 2 });
const outcome = await trainModelVersion(db, modelId);
console.log(`[train] model ${modelId}: ${outcome.status} (${outcome.reason})`);
await db.$disconnect();
process.exit(outcome.status === "failed" ? 1 : 0);
