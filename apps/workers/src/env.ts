import path from "node:path";
import { fileURLToPath } from "node:url";
import { databaseUrl } from "@docgate/db";
import { redisPrefix, redisUrl } from "@docgate/orchestrator";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

export type WorkerEnv = { databaseUrl: string; redisUrl: string; prefix: string; cacheDir: string };

export function workerEnv(): WorkerEnv {
  return {
    databaseUrl: databaseUrl(),
    redisUrl: redisUrl(),
    prefix: redisPrefix(),
    cacheDir: process.env.DOCGATE_CACHE_DIR || path.join(repoRoot, ".docgate/cache"),
  };
}
