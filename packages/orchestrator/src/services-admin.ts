import type { Redis } from "ioredis";
import { DomainError, Prisma, writeAudit, type ChangeContext, type Db } from "@docgate/db";
import { z } from "zod";

/** Pub/sub channel on which every host hears that a service's settings changed. */
export const serviceSettingsChannel = (prefix: string) => `${prefix}:services:changed`;

/** Service.autoscale: null means manual. */
export const AutoscalePolicySchema = z.object({
  minReplicas: z.number().int().min(1).max(64).default(1),
  maxReplicas: z.number().int().min(1).max(64).default(4),
  minConcurrency: z.number().int().min(1).max(256).default(1),
  maxConcurrency: z.number().int().min(1).max(256).default(16),
  /** Scale up while the oldest waiting task has waited longer than this. */
  targetWaitMs: z.number().int().min(100).default(5_000),
  /** No two decisions for one service closer than this. */
  cooldownMs: z.number().int().min(0).default(60_000),
}).strict();
export type AutoscalePolicy = z.infer<typeof AutoscalePolicySchema>;

export const ServicePatchSchema = z
  .object({
    concurrency: z.number().int().min(1).max(256).optional(),
    replicas: z.number().int().min(1).max(64).optional(),
    paused: z.boolean().optional(),
    enabled: z.boolean().optional(),
    rateLimitPerSecond: z.number().int().min(1).max(1_000_000).nullable().optional(),
    /** An autoscaling policy, or null for manual scaling. */
    autoscale: AutoscalePolicySchema.nullable().optional(),
  })
  .strict()
  .refine((patch) => Object.values(patch).some((v) => v !== undefined), { message: "Give at least one setting to change." });
export type ServicePatch = z.infer<typeof ServicePatchSchema>;

/** What a worker or supervisor applies live. */
export type ServiceSettings = {
  name: string;
  enabled: boolean;
  paused: boolean;
  concurrency: number;
  replicasDesired: number;
  rateLimitPerSecond: number | null;
  timeoutMs: number;
  /** External services: while in the future, calls fail fast (circuit breaker). */
  breakerOpenUntil?: Date | null;
};

export async function readServiceSettings(db: Db, name: string): Promise<ServiceSettings | null> {
  return db.service.findUnique({
    where: { name },
    select: { name: true, enabled: true, paused: true, concurrency: true, replicasDesired: true, rateLimitPerSecond: true, timeoutMs: true, breakerOpenUntil: true },
  });
}

function auditActions(patch: ServicePatch): string[] {
  const actions: string[] = [];
  if (patch.concurrency !== undefined || patch.replicas !== undefined) actions.push("service.scale");
  if (patch.paused !== undefined) actions.push(patch.paused ? "service.pause" : "service.resume");
  if (patch.enabled !== undefined) actions.push(patch.enabled ? "service.enable" : "service.disable");
  if (patch.rateLimitPerSecond !== undefined) actions.push("service.rate_limit");
  if (patch.autoscale !== undefined) actions.push("service.autoscale");
  return actions;
}

/**
 * Changes a service's capacity settings: stored in Postgres with its audit rows and a
 * ScalingEvent in one transaction, then announced on Redis so every host applies it within
 * a second (workers also re-read their row every few seconds, in case the message is lost).
 */
export async function updateServiceSettings(
  deps: { db: Db; redis?: Redis | null; prefix: string },
  input: { name: string; patch: ServicePatch; reason?: string },
  change: ChangeContext,
): Promise<ServiceSettings> {
  const { db } = deps;
  const { name, patch } = input;
  const updated = await db.$transaction(async (tx) => {
    const current = await tx.service.findUnique({ where: { name } });
    if (!current) throw new DomainError("not_found", "service_not_found", `There is no service named "${name}".`);
    const replicas = patch.replicas;
    const data: Prisma.ServiceUpdateInput = {
      ...(patch.concurrency !== undefined && { concurrency: patch.concurrency }),
      // An admin's explicit choice widens the autoscaling bounds rather than being refused.
      ...(replicas !== undefined && {
        replicasDesired: replicas,
        replicasMin: Math.min(current.replicasMin, replicas),
        replicasMax: Math.max(current.replicasMax, replicas),
      }),
      ...(patch.paused !== undefined && { paused: patch.paused }),
      ...(patch.enabled !== undefined && { enabled: patch.enabled }),
      ...(patch.rateLimitPerSecond !== undefined && { rateLimitPerSecond: patch.rateLimitPerSecond }),
      ...(patch.autoscale !== undefined && { autoscale: patch.autoscale === null ? Prisma.DbNull : (patch.autoscale as Prisma.InputJsonObject) }),
    };
    const row = await tx.service.update({ where: { name }, data });
    const before = {
      concurrency: current.concurrency, replicas: current.replicasDesired, paused: current.paused,
      enabled: current.enabled, rateLimitPerSecond: current.rateLimitPerSecond, autoscale: current.autoscale,
    };
    const changed = Object.fromEntries(
      Object.entries(patch).filter(([key, value]) => value !== undefined && JSON.stringify(before[key as keyof typeof before]) !== JSON.stringify(value)),
    ) as Prisma.InputJsonObject;
    await tx.scalingEvent.create({
      data: {
        serviceName: name,
        change: { from: before, to: changed } as Prisma.InputJsonObject,
        reason: input.reason ?? "manual",
        actorId: "id" in change.actor ? (change.actor.id ?? null) : null,
      },
    });
    for (const action of auditActions(patch)) {
      await writeAudit(tx, {
        actor: change.actor, action, target: name, ip: change.ip ?? null, userAgent: change.userAgent ?? null,
        metadata: { from: before, to: patch } as Prisma.InputJsonObject,
      });
    }
    return row;
  });
  await announceServiceChange(deps, name);
  return {
    name: updated.name, enabled: updated.enabled, paused: updated.paused, concurrency: updated.concurrency,
    replicasDesired: updated.replicasDesired, rateLimitPerSecond: updated.rateLimitPerSecond, timeoutMs: updated.timeoutMs,
  };
}

/** Best effort: a lost message is covered by the workers' periodic re-read. */
export async function announceServiceChange(deps: { redis?: Redis | null; prefix: string }, name: string): Promise<void> {
  if (!deps.redis) return;
  await Promise.race([
    deps.redis.publish(serviceSettingsChannel(deps.prefix), name).catch(() => 0),
    new Promise((resolve) => setTimeout(resolve, 1_000)),
  ]);
}

export type ScalingEventView = { id: string; service: string; change: unknown; reason: string; actorId: string | null; at: string };

export async function listScalingEvents(db: Db, options: { service?: string; limit?: number } = {}): Promise<ScalingEventView[]> {
  const rows = await db.scalingEvent.findMany({
    where: options.service ? { serviceName: options.service } : {},
    orderBy: { at: "desc" },
    take: Math.min(options.limit ?? 50, 500),
  });
  return rows.map((r) => ({ id: r.id, service: r.serviceName, change: r.change, reason: r.reason, actorId: r.actorId, at: r.at.toISOString() }));
}
