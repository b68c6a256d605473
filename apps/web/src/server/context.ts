import { getDb, type Db } from "@docgate/db";
import {
  JobEventHub, createFastFailRedis, createOrchestratorContext, type OrchestratorContext,
} from "@docgate/orchestrator";
import { env } from "./env";

export type ServerContext = { db: Db; orchestrator: OrchestratorContext; events: JobEventHub };

const holder = globalThis as unknown as { __docgateServer?: ServerContext };

/** Process-wide connections for the web app (on globalThis so dev reloads reuse them). */
export function serverContext(): ServerContext {
  if (!holder.__docgateServer) {
    const db = getDb();
    const redis = createFastFailRedis(env().REDIS_URL);
    redis.on("error", () => {}); // surfaced per request as 503, not as log spam
    const subscriber = createFastFailRedis(env().REDIS_URL, { enableOfflineQueue: true });
    subscriber.on("error", () => {});
    holder.__docgateServer = {
      db,
      orchestrator: createOrchestratorContext({ db, redis, prefix: env().DOCGATE_REDIS_PREFIX }),
      events: new JobEventHub(subscriber, env().DOCGATE_REDIS_PREFIX),
    };
  }
  return holder.__docgateServer;
}
