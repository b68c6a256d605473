import { randomBytes } from "node:crypto";
import type { Db, Prisma } from "@docgate/db";

/** An instance whose heartbeat is older than this is not counted as live. */
export const INSTANCE_STALE_MS = 30_000;
export const HEARTBEAT_INTERVAL_MS = 5_000;

export type InstanceInfo = {
  service: string;
  version: string;
  tools: Prisma.InputJsonValue;
  host: string;
  pid: number;
  concurrency: number;
};

/** A worker announces itself and its tools catalog (from the MCP server's tools/list). */
export async function registerInstance(db: Db, info: InstanceInfo): Promise<string> {
  const id = `${info.service}:${info.host}:${info.pid}:${randomBytes(3).toString("hex")}`;
  await db.$transaction([
    db.service.upsert({
      where: { name: info.service },
      create: { name: info.service, kind: "builtin", version: info.version, tools: info.tools, concurrency: info.concurrency },
      update: { version: info.version, tools: info.tools },
    }),
    db.serviceInstance.create({
      data: { id, serviceName: info.service, host: info.host, pid: info.pid, version: info.version, concurrency: info.concurrency },
    }),
  ]);
  return id;
}

export async function heartbeat(db: Db, instanceId: string, active: number): Promise<void> {
  await db.serviceInstance.updateMany({ where: { id: instanceId }, data: { heartbeatAt: new Date(), active } });
}

export async function deregisterInstance(db: Db, instanceId: string): Promise<void> {
  await db.serviceInstance.deleteMany({ where: { id: instanceId } });
}

export type ServiceSummary = {
  name: string;
  kind: string;
  version: string | null;
  status: "up" | "down";
  enabled: boolean;
  paused: boolean;
  concurrency: number;
  replicas: number;
  tools: unknown;
  instances: { id: string; host: string; pid: number; version: string; active: number; heartbeatAt: string }[];
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
    status: s.instances.length > 0 ? "up" : "down",
    enabled: s.enabled,
    paused: s.paused,
    concurrency: s.concurrency,
    replicas: s.replicasDesired,
    tools: s.tools,
    instances: s.instances.map((i) => ({
      id: i.id, host: i.host, pid: i.pid, version: i.version, active: i.active, heartbeatAt: i.heartbeatAt.toISOString(),
    })),
  }));
}
