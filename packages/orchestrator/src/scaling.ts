import type { OrchestratorContext } from "./context";
import { serviceQueueName } from "./queues";
import { INSTANCE_STALE_MS } from "./registry";
import { AutoscalePolicySchema, updateServiceSettings, type AutoscalePolicy, type ServicePatch } from "./services-admin";

export const AUTOSCALE_EVERY_MS = 15_000;


export type LoadSample = { waiting: number; active: number; oldestWaitingMs: number | null; liveInstances: number };
export type Decision = { patch: ServicePatch; reason: string } | null;

/**
 * One step of the policy: more concurrency first (cheap), then another replica, while the
 * oldest task waits longer than the target; fewer replicas first, then less concurrency,
 * when nothing waits and under half the slots are busy.
 */
export function decideScaling(policy: AutoscalePolicy, current: { concurrency: number; replicas: number }, load: LoadSample): Decision {
  const { concurrency, replicas } = current;
  if (load.oldestWaitingMs !== null && load.oldestWaitingMs > policy.targetWaitMs) {
    const why = `oldest waiting task ${Math.round(load.oldestWaitingMs / 100) / 10} s > target ${policy.targetWaitMs / 1000} s (${load.waiting} waiting)`;
    if (concurrency < policy.maxConcurrency) {
      const next = Math.min(policy.maxConcurrency, Math.max(concurrency + 1, Math.ceil(concurrency * 1.5)));
      return { patch: { concurrency: next }, reason: `autoscale up: ${why}; concurrency ${concurrency} → ${next}` };
    }
    if (replicas < policy.maxReplicas) return { patch: { replicas: replicas + 1 }, reason: `autoscale up: ${why}; replicas ${replicas} → ${replicas + 1}` };
    return null; // at the ceiling
  }
  const slots = concurrency * Math.max(1, load.liveInstances);
  if (load.waiting === 0 && load.active < slots / 2) {
    const why = `queue empty, ${load.active} of ${slots} slots busy`;
    if (replicas > policy.minReplicas) return { patch: { replicas: replicas - 1 }, reason: `autoscale down: ${why}; replicas ${replicas} → ${replicas - 1}` };
    if (concurrency > policy.minConcurrency) {
      const next = Math.max(policy.minConcurrency, Math.floor(concurrency / 1.5));
      return { patch: { concurrency: next }, reason: `autoscale down: ${why}; concurrency ${concurrency} → ${next}` };
    }
  }
  return null;
}

/**
 * Applies every enabled, unpaused service's autoscaling policy once. Each decision goes
 * through the same path as an admin's change (stored, audited as the system, announced) and
 * is a ScalingEvent whose reason says why.
 */
export async function runAutoscaler(ctx: OrchestratorContext, now = new Date()): Promise<{ service: string; reason: string }[]> {
  const services = await ctx.db.service.findMany({
    where: { enabled: true, paused: false },
    include: { instances: { where: { heartbeatAt: { gte: new Date(now.getTime() - INSTANCE_STALE_MS) } }, select: { id: true } } },
  });
  const decisions: { service: string; reason: string }[] = [];
  for (const service of services) {
    const parsed = AutoscalePolicySchema.safeParse(service.autoscale);
    if (!parsed.success || service.autoscale === null) continue;
    const policy = parsed.data;
    const last = await ctx.db.scalingEvent.findFirst({ where: { serviceName: service.name }, orderBy: { at: "desc" }, select: { at: true } });
    if (last && now.getTime() - last.at.getTime() < policy.cooldownMs) continue;
    let load: LoadSample;
    try {
      const queue = ctx.queue(serviceQueueName(service.name));
      const counts = await queue.getJobCounts("waiting", "prioritized", "active");
      const [oldest] = await queue.getJobs(["waiting", "prioritized"], 0, 0, true);
      load = {
        waiting: (counts.waiting ?? 0) + (counts.prioritized ?? 0),
        active: counts.active ?? 0,
        oldestWaitingMs: oldest?.timestamp ? now.getTime() - oldest.timestamp : null,
        liveInstances: service.instances.length,
      };
    } catch {
      continue; // Redis unavailable: no decision on missing data
    }
    const decision = decideScaling(policy, { concurrency: service.concurrency, replicas: service.replicasDesired }, load);
    if (!decision) continue;
    await updateServiceSettings(ctx, { name: service.name, patch: decision.patch, reason: decision.reason }, { actor: { type: "system", id: "autoscaler" } });
    decisions.push({ service: service.name, reason: decision.reason });
  }
  return decisions;
}
