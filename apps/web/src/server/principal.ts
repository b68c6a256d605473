import { countActiveJobs, countJobsToday, DEFAULT_MAX_CONCURRENT_JOBS, findApiKey, type AuditActor, type Role } from "@docgate/db";
import type { KeyCounts } from "@docgate/orchestrator";
import { serverContext } from "./context";
import { auth } from "./auth";
import { ApiError } from "./errors";
import { recordDenial, requestMeta, type RequestMeta } from "./access/deny";
import { consumeKeyRequest, rateLimitHeaders, type RateLimitState } from "./access/rate-limit";
import { verifySignature } from "./access/signing";

export type KeyLimits = { rateLimitPerMinute: number | null; dailyDocumentQuota: number | null; maxConcurrentJobs: number | null };

export type Principal =
  | { kind: "api_key"; id: string; role: Role; services: string[]; name: string; limits: KeyLimits }
  | { kind: "user"; id: string; role: Role; email: string };

type CachedKey = { principal: Extract<Principal, { kind: "api_key" }>; signingSecret: string | null };

const KEY_CACHE_MS = 3_000;
const keyCache = new Map<string, { key: CachedKey | null; until: number }>();

// What a principal was authenticated from, so later checks (role, services, quota) can
// record a denial with its ip and path, and routes can send the rate-limit headers.
const origin = new WeakMap<Principal, { meta: RequestMeta; rateLimit?: RateLimitState }>();

/**
 * API key (Authorization: Bearer dg_…) or console session cookie. Keys are cached for a
 * few seconds only, so a revoked key stops working within that time on every web copy.
 * A key is then held to its rate limit (429) and, when it requires it, to a valid request
 * signature (401). Every refusal writes an `access.deny` audit row.
 */
export async function authenticate(request: Request, options: { maxBodyBytes?: number } = {}): Promise<Principal> {
  const meta = requestMeta(request);
  const header = request.headers.get("authorization");
  if (header) {
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match?.[1]) throw deny({ type: "anonymous" }, meta, new ApiError(401, "invalid_authorization", "Send the API key as `Authorization: Bearer dg_…`."));
    const cached = await keyForSecret(match[1]);
    if (!cached) throw deny({ type: "anonymous" }, meta, new ApiError(401, "invalid_api_key", "The API key is unknown, revoked or expired."));
    const principal: Principal = { ...cached.principal };
    const actor = auditActor(principal);

    const limit = await consumeKeyRequest(principal.id, principal.limits.rateLimitPerMinute);
    if (!limit.allowed) {
      throw deny(actor, meta, new ApiError(429, "rate_limited",
        `This API key is limited to ${limit.state.limit} requests per minute; retry in ${limit.retryAfterSeconds} s.`,
        { "Retry-After": String(limit.retryAfterSeconds), ...rateLimitHeaders(limit.state) }));
    }
    if (cached.signingSecret) {
      try {
        await verifySignature(request, { keyId: principal.id, secret: cached.signingSecret, ...options });
      } catch (error) {
        throw error instanceof ApiError && error.status === 401 ? deny(actor, meta, error) : error;
      }
    }
    origin.set(principal, { meta, rateLimit: limit.state });
    return principal;
  }
  const session = await auth().api.getSession({ headers: request.headers });
  if (session?.user) {
    const user = session.user as typeof session.user & { role?: Role; disabled?: boolean };
    if (user.disabled) throw deny({ type: "user", id: user.id }, meta, new ApiError(403, "user_disabled", "This account is disabled."));
    const principal: Principal = { kind: "user", id: user.id, role: user.role ?? "viewer", email: user.email };
    origin.set(principal, { meta });
    return principal;
  }
  throw deny({ type: "anonymous" }, meta, new ApiError(401, "unauthenticated", "Authenticate with an API key (`Authorization: Bearer dg_…`) or sign in."));
}

async function keyForSecret(secret: string): Promise<CachedKey | null> {
  const now = Date.now();
  const hit = keyCache.get(secret);
  if (hit && hit.until > now) return hit.key;
  const { db } = serverContext();
  const check = await findApiKey(db, secret);
  const key: CachedKey | null = check.ok
    ? {
        principal: {
          kind: "api_key", id: check.key.id, role: check.key.role, services: check.key.services, name: check.key.name,
          limits: {
            rateLimitPerMinute: check.key.rateLimitPerMinute,
            dailyDocumentQuota: check.key.dailyDocumentQuota,
            maxConcurrentJobs: check.key.maxConcurrentJobs,
          },
        },
        signingSecret: check.key.signingSecret,
      }
    : null;
  if (keyCache.size > 10_000) keyCache.clear();
  keyCache.set(secret, { key, until: now + KEY_CACHE_MS });
  if (check.ok && (!check.key.lastUsedAt || now - check.key.lastUsedAt.getTime() > 60_000)) {
    db.apiKey.update({ where: { id: check.key.id }, data: { lastUsedAt: new Date() } }).catch(() => {});
  }
  return key;
}

/** Records the refusal (throttled, off the request path) and returns the error to throw. */
function deny(actor: AuditActor, meta: RequestMeta | undefined, error: ApiError): ApiError {
  if (meta) void recordDenial({ actor, meta, status: error.status, code: error.code });
  return error;
}

const RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };

export function requireRole(principal: Principal, role: Role): void {
  if (RANK[principal.role] < RANK[role]) {
    throw deny(auditActor(principal), origin.get(principal)?.meta,
      new ApiError(403, "forbidden", `This needs the ${role} role; you have ${principal.role}.`));
  }
}

/** An API key may be limited to some services; an empty list means all. */
export function requireServices(principal: Principal, services: string[]): void {
  if (principal.kind !== "api_key" || principal.services.length === 0) return;
  const denied = services.filter((s) => !principal.services.includes(s));
  if (denied.length) {
    throw deny(auditActor(principal), origin.get(principal)?.meta,
      new ApiError(403, "service_not_allowed", `This API key may not call: ${denied.join(", ")}.`));
  }
}

/** A key's limits on jobs, which the intake call enforces (SubmitInput.limits); null for console users. */
export function jobLimits(principal: Principal): { maxActiveJobs: number; dailyQuota: number | null } | null {
  if (principal.kind !== "api_key") return null;
  return { maxActiveJobs: principal.limits.maxConcurrentJobs ?? DEFAULT_MAX_CONCURRENT_JOBS, dailyQuota: principal.limits.dailyDocumentQuota };
}

// A key's counts as its last intake on this web copy saw them: while they are fresh and well
// under the limits, the early check below is skipped (the intake call enforces the limits anyway).
const COUNTS_FRESH_MS = 5_000;
const lastCounts = new Map<string, { counts: KeyCounts; at: number }>();

/** Remembers what an intake saw of the key (SubmittedJob.keyCounts, or JobLimitError.counts). */
export function rememberKeyCounts(principal: Principal, counts: KeyCounts): void {
  if (principal.kind !== "api_key") return;
  if (lastCounts.size > 10_000) lastCounts.clear();
  lastCounts.set(principal.id, { counts, at: Date.now() });
}

function mayBeNearLimits(principal: Principal, limits: { maxActiveJobs: number; dailyQuota: number | null }): boolean {
  const seen = lastCounts.get(principal.id);
  if (!seen || Date.now() - seen.at > COUNTS_FRESH_MS) return true;
  // Counts are from before that intake's own job; other uploads may be in flight since.
  const near = (count: number | null, limit: number) => count === null || count + 1 >= limit - Math.max(2, limit / 10);
  return near(seen.counts.active, limits.maxActiveJobs) || (limits.dailyQuota !== null && near(seen.counts.today, limits.dailyQuota));
}

/**
 * Before the upload is read: a key at its cap on concurrent jobs (queued or running) or at its
 * daily document quota is refused (429) without costing an upload. Counted in Postgres (so it
 * holds while Redis is down), and only when the key may be near a limit: the intake call checks
 * both again under the key's lock, which is what makes them hold under concurrent uploads.
 */
export async function requireJobCapacity(principal: Principal): Promise<void> {
  const limits = jobLimits(principal);
  if (!limits || principal.kind !== "api_key" || !mayBeNearLimits(principal, limits)) return;
  const { db } = serverContext();
  const [active, today] = await Promise.all([
    countActiveJobs(db, principal.id),
    limits.dailyQuota === null ? Promise.resolve(0) : countJobsToday(db, principal.id),
  ]);
  if (active >= limits.maxActiveJobs) throw jobLimitRefusal(principal, "too_many_concurrent_jobs");
  if (limits.dailyQuota !== null && today >= limits.dailyQuota) throw jobLimitRefusal(principal, "daily_quota_exceeded");
}

/** The 429 for a key over one of its job limits (recorded as a denial). */
export function jobLimitRefusal(principal: Principal, code: "too_many_concurrent_jobs" | "daily_quota_exceeded"): ApiError {
  const limits = jobLimits(principal);
  const meta = origin.get(principal)?.meta;
  if (code === "too_many_concurrent_jobs") {
    return deny(auditActor(principal), meta, new ApiError(429, "too_many_concurrent_jobs",
      `This API key may have ${limits?.maxActiveJobs} jobs queued or running at once; wait for one to finish.`, { "Retry-After": "5" }));
  }
  const now = new Date();
  const midnight = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1);
  return deny(auditActor(principal), meta, new ApiError(429, "daily_quota_exceeded",
    `This API key's quota of ${limits?.dailyQuota} documents per day is used up; it resets at 00:00 UTC.`,
    { "Retry-After": String(Math.ceil((midnight - now.getTime()) / 1000)) }));
}

/** The `X-RateLimit-*` headers for a response to a request authenticated by an API key. */
export function principalHeaders(principal: Principal): Record<string, string> {
  const state = origin.get(principal)?.rateLimit;
  return state ? rateLimitHeaders(state) : {};
}

/** The request a principal came from (ip, user agent, path), for audit rows. */
export function principalOrigin(principal: Principal): RequestMeta | null {
  return origin.get(principal)?.meta ?? null;
}

export const auditActor = (p: Principal) => ({ type: p.kind, id: p.id }) as const;
