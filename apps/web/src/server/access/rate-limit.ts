import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";
import { serverContext } from "../context";
import { env } from "../env";

/**
 * Redis-backed fixed-window limits shared by every web copy. When Redis is unreachable each
 * limiter falls back to an in-process limiter with the same numbers (its "insurance"): the
 * gateway keeps accepting work (Postgres is the source of truth; see docs/access.md), and a
 * runaway client is still held to the limit per web copy rather than unbounded.
 */

/** Requests per minute for a key without its own `rateLimitPerMinute`. */
export const DEFAULT_RATE_LIMIT_PER_MINUTE = 600;
/** Sign-in attempts per IP per window. */
export const LOGIN_ATTEMPTS_PER_IP = 20;
export const LOGIN_WINDOW_SECONDS = 300;

export type RateLimitState = { limit: number; remaining: number; resetAt: number };

const limiters = new Map<string, RateLimiterRedis>();

function limiter(kind: string, points: number, duration: number): RateLimiterRedis {
  const id = `${kind}:${points}:${duration}`;
  let found = limiters.get(id);
  if (!found) {
    found = new RateLimiterRedis({
      storeClient: serverContext().orchestrator.redis,
      keyPrefix: `${env().DOCGATE_REDIS_PREFIX}:rl:${kind}:${points}:${duration}`,
      points,
      duration,
      rejectIfRedisNotReady: true,
      insuranceLimiter: new RateLimiterMemory({ points, duration, keyPrefix: `mem:${id}` }),
    });
    limiters.set(id, found);
  }
  return found;
}

export type ConsumeResult = { allowed: true; state: RateLimitState } | { allowed: false; state: RateLimitState; retryAfterSeconds: number };

async function consume(kind: string, key: string, points: number, duration: number): Promise<ConsumeResult> {
  try {
    const res = await limiter(kind, points, duration).consume(key, 1);
    return { allowed: true, state: stateOf(points, res) };
  } catch (rejection) {
    if (rejection instanceof RateLimiterRes) {
      return { allowed: false, state: stateOf(points, rejection), retryAfterSeconds: Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)) };
    }
    throw rejection; // neither store answered: a real error
  }
}

function stateOf(limit: number, res: RateLimiterRes): RateLimitState {
  return { limit, remaining: Math.max(0, res.remainingPoints), resetAt: Math.ceil((Date.now() + res.msBeforeNext) / 1000) };
}

/** One request by an API key against its per-minute limit. */
export function consumeKeyRequest(keyId: string, perMinute: number | null): Promise<ConsumeResult> {
  return consume("key", keyId, perMinute ?? DEFAULT_RATE_LIMIT_PER_MINUTE, 60);
}

/** One sign-in attempt from an IP. */
export function consumeLoginAttempt(ip: string): Promise<ConsumeResult> {
  return consume("login", ip, LOGIN_ATTEMPTS_PER_IP, LOGIN_WINDOW_SECONDS);
}

/** `X-RateLimit-*` headers: the limit, what is left in this window, and when it resets (Unix seconds). */
export function rateLimitHeaders(state: RateLimitState): Record<string, string> {
  return {
    "X-RateLimit-Limit": String(state.limit),
    "X-RateLimit-Remaining": String(state.remaining),
    "X-RateLimit-Reset": String(state.resetAt),
  };
}
