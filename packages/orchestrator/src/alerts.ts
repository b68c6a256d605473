import type { OrchestratorContext } from "./context";
import { serviceLoads, type ServiceLoad } from "./services-console";

/**
 * Alert rules over what the scaling console shows. Thresholds come from the environment
 * (DOCGATE_ALERT_BACKLOG, DOCGATE_ALERT_ERROR_RATE); a firing is an Alert row until its
 * condition clears, and each firing and resolution is POSTed once to DOCGATE_ALERT_WEBHOOK_URL
 * when set (retried on later rounds until the webhook accepts it).
 */
export type AlertRule = "backlog" | "error_rate" | "no_healthy_instance";

export type AlertThresholds = {
  /** Tasks waiting on one service's queue. */
  backlog: number;
  /** Share of failed tasks over the metrics window (5 min)… */
  errorRate: number;
  /** …counted only with at least this many tasks in the window. */
  errorRateMinTasks: number;
};

export function alertThresholds(env: NodeJS.ProcessEnv = process.env): AlertThresholds {
  const number = (raw: string | undefined, fallback: number) => (raw && Number.isFinite(Number(raw)) && Number(raw) > 0 ? Number(raw) : fallback);
  return {
    backlog: number(env.DOCGATE_ALERT_BACKLOG, 1_000),
    errorRate: number(env.DOCGATE_ALERT_ERROR_RATE, 0.2),
    errorRateMinTasks: number(env.DOCGATE_ALERT_ERROR_RATE_MIN_TASKS, 10),
  };
}

type Condition = { rule: AlertRule; service: string; firing: boolean; message: string; value: number | null; threshold: number | null };

/** Every rule for every enabled service: firing or not, with a sentence for a person. */
export function evaluateRules(services: ServiceLoad[], t: AlertThresholds): Condition[] {
  const conditions: Condition[] = [];
  for (const s of services.filter((x) => x.enabled)) {
    const waiting = s.queue?.waiting ?? 0;
    conditions.push({
      rule: "backlog", service: s.name, firing: waiting > t.backlog, value: waiting, threshold: t.backlog,
      message: `${waiting} tasks are waiting on ${s.name} (threshold ${t.backlog}).`,
    });
    const rate = s.window.errorRate;
    conditions.push({
      rule: "error_rate", service: s.name,
      firing: rate !== null && s.window.tasks >= t.errorRateMinTasks && rate > t.errorRate,
      value: rate, threshold: t.errorRate,
      message: `${((rate ?? 0) * 100).toFixed(1)}% of ${s.name}'s last ${s.window.tasks} tasks failed (threshold ${(t.errorRate * 100).toFixed(0)}%).`,
    });
    conditions.push({
      rule: "no_healthy_instance", service: s.name, firing: s.status === "down", value: s.instances.length, threshold: null,
      message: s.kind === "external"
        ? `${s.name} is down: ${s.lastCheck?.message ?? "its health check fails"}.`
        : `${s.name} has no healthy worker instance (${s.instances.length} live).`,
    });
  }
  return conditions;
}

export type AlertView = {
  id: string; rule: string; service: string; message: string; value: number | null; threshold: number | null;
  firedAt: string; resolvedAt: string | null; notifiedAt: string | null;
};

type AlertRow = { id: string; rule: string; serviceName: string; message: string; value: number | null; threshold: number | null; firedAt: Date; resolvedAt: Date | null; notifiedAt: Date | null };

const view = (a: AlertRow): AlertView => ({
  id: a.id, rule: a.rule, service: a.serviceName, message: a.message, value: a.value, threshold: a.threshold,
  firedAt: a.firedAt.toISOString(), resolvedAt: a.resolvedAt?.toISOString() ?? null, notifiedAt: a.notifiedAt?.toISOString() ?? null,
});

export type AlertRound = { fired: AlertView[]; resolved: AlertView[]; notified: number; webhookErrors: string[]; skipped?: boolean };

const ROUND_LOCK_MS = 60_000;

/**
 * One evaluation: opens an Alert for each newly firing condition, resolves those whose
 * condition cleared (or that nothing evaluates any more: a disabled service), and sends what
 * the webhook has not yet accepted. One round at a time across hosts (a Redis lock), so a slow
 * round never doubles a firing or a notice.
 */
export async function runAlertRound(
  ctx: OrchestratorContext,
  options: { thresholds?: AlertThresholds; webhookUrl?: string | null; now?: Date; fetch?: typeof fetch } = {},
): Promise<AlertRound> {
  const lock = `${ctx.prefix}:lock:alert-round`;
  const token = `${process.pid}:${Math.random()}`;
  if ((await ctx.redis.set(lock, token, "PX", ROUND_LOCK_MS, "NX")) !== "OK") {
    return { fired: [], resolved: [], notified: 0, webhookErrors: [], skipped: true };
  }
  try {
    return await alertRound(ctx, options);
  } finally {
    if ((await ctx.redis.get(lock).catch(() => null)) === token) await ctx.redis.del(lock).catch(() => 0);
  }
}

async function alertRound(
  ctx: OrchestratorContext,
  options: { thresholds?: AlertThresholds; webhookUrl?: string | null; now?: Date; fetch?: typeof fetch },
): Promise<AlertRound> {
  const now = options.now ?? new Date();
  const conditions = evaluateRules(await serviceLoads(ctx, now), options.thresholds ?? alertThresholds());
  const open = await ctx.db.alert.findMany({ where: { resolvedAt: null } });
  const fired: AlertView[] = [];
  const resolved: AlertView[] = [];
  const resolve = async (id: string) => {
    resolved.push(view(await ctx.db.alert.update({ where: { id }, data: { resolvedAt: now, notifiedAt: null } })));
  };
  for (const c of conditions) {
    const current = open.find((a) => a.rule === c.rule && a.serviceName === c.service);
    if (c.firing && !current) {
      fired.push(view(await ctx.db.alert.create({
        data: { rule: c.rule, serviceName: c.service, message: c.message, value: c.value, threshold: c.threshold, firedAt: now },
      })));
    } else if (!c.firing && current) {
      await resolve(current.id);
    }
  }
  for (const stale of open.filter((a) => !conditions.some((c) => c.rule === a.rule && c.service === a.serviceName))) await resolve(stale.id);
  const webhookUrl = options.webhookUrl === undefined ? process.env.DOCGATE_ALERT_WEBHOOK_URL : options.webhookUrl;
  const delivery = webhookUrl ? await deliver(ctx, webhookUrl, options.fetch ?? fetch) : { notified: 0, errors: [] };
  return { fired, resolved, notified: delivery.notified, webhookErrors: delivery.errors };
}

/** Sends each firing or resolution the webhook has not accepted yet (oldest first, a bounded batch). */
async function deliver(ctx: OrchestratorContext, url: string, post: typeof fetch): Promise<{ notified: number; errors: string[] }> {
  const pending = await ctx.db.alert.findMany({ where: { notifiedAt: null }, orderBy: { firedAt: "asc" }, take: 50 });
  let notified = 0;
  const errors: string[] = [];
  for (const alert of pending) {
    const body = { status: alert.resolvedAt ? "resolved" : "firing", ...view(alert), source: "docgate" };
    try {
      const response = await post(url, {
        method: "POST",
        headers: { "content-type": "application/json", "user-agent": "docgate-alerts" },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(5_000),
        redirect: "error",
      });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      await ctx.db.alert.update({ where: { id: alert.id }, data: { notifiedAt: new Date() } });
      notified++;
    } catch (error) {
      errors.push(`${alert.rule}/${alert.serviceName}: ${(error as Error).message}`);
      break; // the webhook is unhappy: try again next round rather than hammering it
    }
  }
  return { notified, errors };
}

export async function listAlerts(ctx: Pick<OrchestratorContext, "db">, options: { limit?: number } = {}): Promise<{ firing: AlertView[]; recent: AlertView[] }> {
  const [firing, recent] = await Promise.all([
    ctx.db.alert.findMany({ where: { resolvedAt: null }, orderBy: { firedAt: "desc" } }),
    ctx.db.alert.findMany({ where: { resolvedAt: { not: null } }, orderBy: { resolvedAt: "desc" }, take: Math.min(options.limit ?? 20, 200) }),
  ]);
  return { firing: firing.map(view), recent: recent.map(view) };
}
