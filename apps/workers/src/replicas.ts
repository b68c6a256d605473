import type { Db } from "@docgate/db";
import { createWorkerRedis, serviceSettingsChannel } from "@docgate/orchestrator";
import { BUILTIN_SERVICE_NAMES } from "./services";
import type { Supervisor } from "./supervisor";

/**
 * Keeps this host's worker processes at each built-in service's `replicasDesired` (none
 * while it is disabled): applied on the Redis change message, and re-read every few seconds
 * in case a message is lost. Settings live in Postgres, so a restart starts where it was.
 */
export async function startReplicaController(options: {
  db: Db;
  redisUrl: string;
  prefix: string;
  supervisor: Supervisor;
  everyMs?: number;
  /** Limit to these services (tests); default every built-in one. */
  services?: readonly string[];
  log?: (line: string) => void;
}) {
  const { db, supervisor } = options;
  const log = options.log ?? (() => {});
  const names = options.services ?? BUILTIN_SERVICE_NAMES;
  let running = Promise.resolve();
  let stopped = false;
  const sync = () => {
    running = running
      .then(async () => {
        const rows = await db.service.findMany({ where: { name: { in: [...names] } }, select: { name: true, enabled: true, replicasDesired: true } });
        if (stopped) return;
        for (const row of rows) supervisor.scale(row.name, row.enabled ? Math.max(1, row.replicasDesired) : 0);
      })
      .catch((error: Error) => log(`[supervisor] settings reload failed: ${error.message}`));
    return running;
  };
  await sync();
  const subscriber = createWorkerRedis(options.redisUrl);
  subscriber.on("message", (_channel: string, name: string) => {
    if (names.includes(name)) void sync();
  });
  await subscriber.subscribe(serviceSettingsChannel(options.prefix)).catch((error: Error) => log(`[supervisor] subscribe failed: ${error.message}`));
  const timer = setInterval(() => void sync(), options.everyMs ?? 5_000);
  timer.unref();
  return {
    sync,
    async close() {
      stopped = true;
      clearInterval(timer);
      subscriber.disconnect();
      await running;
    },
  };
}
