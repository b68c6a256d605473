import { findApiKey, type Role } from "@docgate/db";
import { serverContext } from "./context";
import { auth } from "./auth";
import { ApiError } from "./errors";

export type Principal =
  | { kind: "api_key"; id: string; role: Role; services: string[]; name: string }
  | { kind: "user"; id: string; role: Role; email: string };

const KEY_CACHE_MS = 3_000;
const keyCache = new Map<string, { principal: Principal | null; until: number }>();

/**
 * API key (Authorization: Bearer dg_…) or console session cookie. Keys are cached for a
 * few seconds only, so a revoked key stops working within that time on every web copy.
 */
export async function authenticate(request: Request): Promise<Principal> {
  const header = request.headers.get("authorization");
  if (header) {
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match?.[1]) throw new ApiError(401, "invalid_authorization", "Send the API key as `Authorization: Bearer dg_…`.");
    const principal = await principalForKey(match[1]);
    if (!principal) throw new ApiError(401, "invalid_api_key", "The API key is unknown, revoked or expired.");
    return principal;
  }
  const session = await auth().api.getSession({ headers: request.headers });
  if (session?.user) {
    const user = session.user as typeof session.user & { role?: Role; disabled?: boolean };
    if (user.disabled) throw new ApiError(403, "user_disabled", "This account is disabled.");
    return { kind: "user", id: user.id, role: user.role ?? "viewer", email: user.email };
  }
  throw new ApiError(401, "unauthenticated", "Authenticate with an API key (`Authorization: Bearer dg_…`) or sign in.");
}

async function principalForKey(secret: string): Promise<Principal | null> {
  const now = Date.now();
  const hit = keyCache.get(secret);
  if (hit && hit.until > now) return hit.principal;
  const { db } = serverContext();
  const check = await findApiKey(db, secret);
  const principal: Principal | null = check.ok
    ? { kind: "api_key", id: check.key.id, role: check.key.role, services: check.key.services, name: check.key.name }
    : null;
  if (keyCache.size > 10_000) keyCache.clear();
  keyCache.set(secret, { principal, until: now + KEY_CACHE_MS });
  if (check.ok && (!check.key.lastUsedAt || now - check.key.lastUsedAt.getTime() > 60_000)) {
    db.apiKey.update({ where: { id: check.key.id }, data: { lastUsedAt: new Date() } }).catch(() => {});
  }
  return principal;
}

const RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };

export function requireRole(principal: Principal, role: Role): void {
  if (RANK[principal.role] < RANK[role]) {
    throw new ApiError(403, "forbidden", `This needs the ${role} role; you have ${principal.role}.`);
  }
}

/** An API key may be limited to some services; an empty list means all. */
export function requireServices(principal: Principal, services: string[]): void {
  if (principal.kind !== "api_key" || principal.services.length === 0) return;
  const denied = services.filter((s) => !principal.services.includes(s));
  if (denied.length) {
    throw new ApiError(403, "service_not_allowed", `This API key may not call: ${denied.join(", ")}.`);
  }
}

export const auditActor = (p: Principal) => ({ type: p.kind, id: p.id }) as const;
