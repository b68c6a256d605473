import type { Redis } from "ioredis";
import type { Db } from "@docgate/db";

/** Consecutive failed calls (across every host) that open the breaker. */
export const BREAKER_FAILURES_TO_OPEN = 3;
/** How long an open breaker refuses calls before it lets one probe through. */
export const BREAKER_OPEN_MS = 30_000;

export type BreakerDeps = { db: Db; redis: Redis; prefix: string };
export type Admission = { ok: true; probe: boolean } | { ok: false; retryAt: Date };

const failuresKey = (prefix: string, service: string) => `${prefix}:breaker:${service}:failures`;
const probeKey = (prefix: string, service: string) => `${prefix}:breaker:${service}:probe`;

/**
 * A circuit breaker for one external service, shared by every host: the failure count lives
 * in Redis, the open state in Postgres (Service.breakerOpenUntil, shown in the console and
 * kept across restarts). Closed: calls pass. Open: calls fail fast until `breakerOpenUntil`.
 * Half-open (after that moment): one call at a time, across hosts, is let through as a
 * probe; its success closes the breaker, its failure opens it again.
 *
 * Only transport failures count (unreachable, timeouts, HTTP errors): a tool answering
 * `isError` is a working server saying no.
 */
export class CircuitBreaker {
  private openUntil: number | null = null;

  constructor(
    private readonly deps: BreakerDeps,
    readonly service: string,
    private readonly options: { failuresToOpen?: number; openMs?: number; probeTtlMs?: number } = {},
  ) {}

  /** Mirrors the stored state (the worker re-reads its Service row every few seconds). */
  sync(breakerOpenUntil: Date | null): void {
    this.openUntil = breakerOpenUntil ? breakerOpenUntil.getTime() : null;
  }

  get state(): "closed" | "open" | "half_open" {
    if (this.openUntil === null) return "closed";
    return this.openUntil > Date.now() ? "open" : "half_open";
  }

  async admit(): Promise<Admission> {
    if (this.openUntil === null) return { ok: true, probe: false };
    if (this.openUntil > Date.now()) return { ok: false, retryAt: new Date(this.openUntil) };
    const { redis, prefix } = this.deps;
    const ttl = this.options.probeTtlMs ?? 30_000;
    const won = await redis.set(probeKey(prefix, this.service), "1", "PX", ttl, "NX").catch(() => null);
    return won === "OK" ? { ok: true, probe: true } : { ok: false, retryAt: new Date(Date.now() + 1_000) };
  }

  async succeeded(admission: Admission): Promise<void> {
    const { redis, prefix } = this.deps;
    await redis.del(failuresKey(prefix, this.service)).catch(() => 0);
    if (admission.ok && admission.probe) {
      await closeBreaker(this.deps.db, this.service);
      this.openUntil = null;
      await redis.del(probeKey(prefix, this.service)).catch(() => 0);
    }
  }

  /** The call never reached the server: a probe's turn goes to the next call. */
  async release(admission: Admission): Promise<void> {
    if (admission.ok && admission.probe) await this.deps.redis.del(probeKey(this.deps.prefix, this.service)).catch(() => 0);
  }

  async failed(admission: Admission): Promise<void> {
    const { redis, prefix } = this.deps;
    if (admission.ok && admission.probe) {
      await this.open();
      await redis.del(probeKey(prefix, this.service)).catch(() => 0);
      return;
    }
    const key = failuresKey(prefix, this.service);
    const failures = await redis.incr(key).catch(() => 1);
    await redis.pexpire(key, 5 * 60_000).catch(() => 0);
    if (failures >= (this.options.failuresToOpen ?? BREAKER_FAILURES_TO_OPEN)) await this.open();
  }

  async open(): Promise<void> {
    const until = new Date(Date.now() + (this.options.openMs ?? BREAKER_OPEN_MS));
    await openBreaker(this.deps.db, this.service, until);
    await this.deps.redis.del(failuresKey(this.deps.prefix, this.service)).catch(() => 0);
    this.openUntil = until.getTime();
  }
}

export async function openBreaker(db: Db, service: string, until: Date): Promise<void> {
  await db.service.updateMany({ where: { name: service }, data: { breakerOpenUntil: until } });
}

export async function closeBreaker(db: Db, service: string): Promise<void> {
  await db.service.updateMany({ where: { name: service, breakerOpenUntil: { not: null } }, data: { breakerOpenUntil: null } });
}

/** The error a task or direct call gets while the breaker is open. */
export class BreakerOpenError extends Error {
  readonly code = "service_unavailable";
  constructor(service: string, readonly retryAt: Date) {
    super(`The ${service} service is down (circuit breaker open); calls resume after ${retryAt.toISOString()}.`);
  }
}
