import type { Db } from "@docgate/db";
import { createWorkerRedis, serviceSettingsChannel } from "@docgate/orchestrator";
import { BUILTIN_SERVICE_NAMES } from "./services";
import type { Supervisor } from "./supervisor";

/**
 * Keeps this host's worker processes at each service's `replicasDesired` (built-in and
 * registered external ones; none once it is removed, nor once it is disabled and has finished
 * the tasks it accepted: disabling stops new jobs at the gateway, and what was accepted still
 * ends, so its jobs close and an external service can then be removed): applied on the Redis
 * change message, and re-read every few seconds in case a message is lost. Settings live in
 * Postgres, so a restart starts where it was.
 */
export async function startReplicaController(options: {
  db: Db;
  redisUrl: string;
  prefix: string;
  supervisor: Supervisor;
  everyMs?: number;
  /** Limit to these services (tests); default every built-in and external one. */
  services?: readonly string[];
  log?: (line: string) => void;
}) {
  const { db, supervisor } = options;
  const log = options.log ?? (() => {});
  const only = options.services;
  const known = new Set<string>(only ?? BUILTIN_SERVICE_NAMES);
  let running = Promise.resolve();
  let stopped = false;
  const sync = () => {
    running = running
      .then(async () => {
        const rows = await db.service.findMany({
          where: only ? { name: { in: [...only] } } : { OR: [{ name: { in: [...BUILTIN_SERVICE_NAMES] } }, { kind: "external" }] },
          select: { name: true, enabled: true, replicasDesired: true },
        });
        const disabled = rows.filter((r) => !r.enabled).map((r) => r.name);
        const draining = new Set(disabled.length === 0 ? [] : (await db.jobTask.groupBy({
          by: ["service"], where: { service: { in: disabled }, status: { in: ["queued", "running"] } },
        })).map((g) => g.service));
        if (stopped) return;
        const present = new Set(rows.map((r) => r.name));
        for (const row of rows) supervisor.scale(row.name, row.enabled || draining.has(row.name) ? Math.max(1, row.replicasDesired) : 0);
        // A removed external service: stop its processes.
        for (const name of known) if (!present.has(name)) supervisor.scale(name, 0);
        for (const name of present) known.add(name);
      })
      .catch((error: Error) => log(`[supervisor] settings reload failed: ${error.message}`));
    return running;
  };
  await sync();
  const subscriber = createWorkerRedis(options.redisUrl);
  subscriber.on("message", (_channel: string, name: string) => {
    if (!only || only.includes(name)) void sync();
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
