import { writeAudit, type AuditActor } from "@docgate/db";
import { serverContext } from "../context";

export type RequestMeta = { ip: string | null; userAgent: string | null; method: string; path: string };

export function requestMeta(request: Request): RequestMeta {
  const url = new URL(request.url);
  return {
    ip: clientAddress(request),
    userAgent: request.headers.get("user-agent")?.slice(0, 512) ?? null,
    method: request.method,
    path: url.pathname,
  };
}

/**
 * The client address as the nearest proxy saw it: the last `X-Forwarded-For` entry (nginx's
 * `$proxy_add_x_forwarded_for` appends the real peer; earlier entries are whatever the client
 * sent), else `X-Real-IP`. Limits keyed by IP rely on this not being client-chosen.
 */
export function clientAddress(request: Request): string | null {
  const forwarded = request.headers.get("x-forwarded-for")?.split(",").map((s) => s.trim()).filter(Boolean);
  return forwarded?.at(-1) || request.headers.get("x-real-ip")?.trim() || null;
}

// Cheap on purpose: a denial is recorded off the request path (the caller does not wait for
// the audit lock), and the same actor denied the same way on the same path is recorded at
// most once per window, with the number of repeats folded into the next row.
const WINDOW_MS = 10_000;
const recent = new Map<string, { until: number; suppressed: number }>();

/** Writes an `access.deny` audit row for a refused request (throttled, never throws). */
export function recordDenial(input: { actor: AuditActor; meta: RequestMeta; status: number; code: string; target?: string | null }): Promise<void> {
  const actorKey = "id" in input.actor && input.actor.id ? `${input.actor.type}:${input.actor.id}` : `${input.actor.type}@${input.meta.ip ?? "?"}`;
  const key = `${actorKey}|${input.code}|${input.meta.method} ${input.meta.path}`;
  const now = Date.now();
  const seen = recent.get(key);
  if (seen && seen.until > now) {
    seen.suppressed += 1;
    return Promise.resolve();
  }
  if (recent.size > 10_000) recent.clear();
  recent.set(key, { until: now + WINDOW_MS, suppressed: 0 });
  const repeats = seen?.suppressed ?? 0;
  return serverContext()
    .db.$transaction((tx) =>
      writeAudit(tx, {
        actor: input.actor,
        action: "access.deny",
        target: input.target ?? `${input.meta.method} ${input.meta.path}`,
        ip: input.meta.ip,
        userAgent: input.meta.userAgent,
        metadata: { status: input.status, code: input.code, method: input.meta.method, path: input.meta.path, ...(repeats ? { repeatsSinceLast: repeats } : {}) },
      }),
    )
    .catch(() => {});
}
