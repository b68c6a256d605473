import { randomBytes } from "node:crypto";
import type { Db, Prisma } from "@docgate/db";

/** An instance whose heartbeat is older than this is not counted as live. */
export const INSTANCE_STALE_MS = 30_000;
export const HEARTBEAT_INTERVAL_MS = 5_000;

export type InstanceInfo = {
  service: string;
  version: string;
  /** The MCP server's tools catalog; null keeps the stored one (external services). */
  tools: Prisma.InputJsonValue | null;
  host: string;
  pid: number;
  concurrency: number;
};

/** A worker announces itself and its tools catalog (from the MCP server's tools/list). */
export async function registerInstance(db: Db, info: InstanceInfo): Promise<string> {
  const id = `${info.service}:${info.host}:${info.pid}:${randomBytes(3).toString("hex")}`;
  const tools = info.tools;
  await db.$transaction([
    ...(tools === null
      ? []
      : [db.service.upsert({
          where: { name: info.service },
          create: { name: info.service, kind: "builtin", version: info.version, tools, concurrency: info.concurrency },
          update: { version: info.version, tools },
        })]),
    db.serviceInstance.create({
      data: { id, serviceName: info.service, host: info.host, pid: info.pid, version: info.version, concurrency: info.concurrency },
    }),
  ]);
  return id;
}

export async function heartbeat(db: Db, instanceId: string, active: number, concurrency?: number): Promise<void> {
  await db.serviceInstance.updateMany({ where: { id: instanceId }, data: { heartbeatAt: new Date(), active, ...(concurrency !== undefined && { concurrency }) } });
}

/** Instances silent for this long are deleted (they are already excluded from live counts after INSTANCE_STALE_MS). */
export const INSTANCE_FORGET_MS = 5 * 60_000;

export async function forgetStaleInstances(db: Db, now = new Date()): Promise<number> {
  const { count } = await db.serviceInstance.deleteMany({ where: { heartbeatAt: { lt: new Date(now.getTime() - INSTANCE_FORGET_MS) } } });
  return count;
}

export async function deregisterInstance(db: Db, instanceId: string): Promise<void> {
  await db.serviceInstance.deleteMany({ where: { id: instanceId } });
}

export type ServiceSummary = {
  name: string;
  kind: string;
  version: string | null;
  /** down: no live instance (or the health checker says down); degraded: the last check was slow or failed. */
  status: "up" | "degraded" | "down";
  /** What the health checker last recorded (unknown before the first check). */
  checkedStatus: string;
  statusChangedAt: string | null;
  rateLimitPerSecond: number | null;
  replicasMin: number;
  replicasMax: number;
  timeoutMs: number;
  enabled: boolean;
  paused: boolean;
  concurrency: number;
  replicas: number;
  /** The autoscaling policy, or null for manual scaling. */
  autoscale: unknown;
  tools: unknown;
  /** External services: where they live, the tool jobs call and how the document reaches it (never the token). */
  external: {
    url: string | null; tool: string | null; documentArgument: string | null; documentMapping: string; hasToken: boolean;
    breaker: { state: "closed" | "open" | "half_open"; openUntil: string | null };
  } | null;
  instances: { id: string; host: string; pid: number; version: string; concurrency: number; active: number; startedAt: string; heartbeatAt: string }[];
};

export async function listServices(db: Db, now = new Date()): Promise<ServiceSummary[]> {
  const since = new Date(now.getTime() - INSTANCE_STALE_MS);
  const services = await db.service.findMany({
    orderBy: { name: "asc" },
    include: { instances: { where: { heartbeatAt: { gte: since } }, orderBy: { startedAt: "asc" } } },
  });
  return services.map((s) => ({
    name: s.name,
    kind: s.kind,
    version: s.version,
    status: serviceStatus(s.kind, s.instances.length, s.status),
    checkedStatus: s.status,
    statusChangedAt: s.statusChangedAt?.toISOString() ?? null,
    rateLimitPerSecond: s.rateLimitPerSecond,
    replicasMin: s.replicasMin,
    replicasMax: s.replicasMax,
    timeoutMs: s.timeoutMs,
    enabled: s.enabled,
    paused: s.paused,
    concurrency: s.concurrency,
    replicas: s.replicasDesired,
    autoscale: s.autoscale,
    tools: s.tools,
    external: s.kind === "external"
      ? {
          url: s.url, tool: s.tool, documentArgument: s.documentArgument, documentMapping: s.documentMapping, hasToken: Boolean(s.token),
          breaker: {
            state: s.breakerOpenUntil === null ? "closed" : s.breakerOpenUntil > now ? "open" : "half_open",
            openUntil: s.breakerOpenUntil?.toISOString() ?? null,
          },
        }
      : null,
    instances: s.instances.map((i) => ({
      id: i.id, host: i.host, pid: i.pid, version: i.version, concurrency: i.concurrency, active: i.active,
      startedAt: i.startedAt.toISOString(), heartbeatAt: i.heartbeatAt.toISOString(),
    })),
  }));
}

function serviceStatus(kind: string, liveInstances: number, checked: string): ServiceSummary["status"] {
  // Built-ins need a live worker; external servers have no instances, only health checks.
  if (kind === "builtin" && liveInstances === 0) return "down";
  if (checked === "down") return kind === "builtin" ? "degraded" : "down";
  if (checked === "degraded") return "degraded";
  if (kind !== "builtin" && checked !== "up") return "down";
  // A reachable external server with no worker process to call it: its tasks wait.
  if (kind !== "builtin" && liveInstances === 0) return "degraded";
  return "up";
}
