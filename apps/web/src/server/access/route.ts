import type { ChangeContext, Role } from "@docgate/db";
import { handle, invalidInput } from "../errors";
import { readJson } from "../json-body";
import { auditActor, authenticate, principalHeaders, principalOrigin, requireRole, type Principal } from "../principal";

export type RouteContext = { request: Request; principal: Principal; change: ChangeContext };

/**
 * An authenticated /api/v1 route: authenticates (key rate limit, signature), checks the
 * role, and adds `X-RateLimit-*`; handle() maps domain refusals to the public error shape.
 */
export function apiRoute<P = unknown>(role: Role, fn: (ctx: RouteContext, params: P) => Promise<Response>) {
  return handle(async (request: Request, route?: { params: Promise<P> }) => {
    const principal = await authenticate(request);
    requireRole(principal, role);
    const meta = principalOrigin(principal);
    const change: ChangeContext = { actor: auditActor(principal), ip: meta?.ip ?? null, userAgent: meta?.userAgent ?? null };
    // Domain refusals (DomainError) become their status in handle().
    const response = await fn({ request, principal, change }, (await route?.params) as P);
    for (const [name, value] of Object.entries(principalHeaders(principal))) response.headers.set(name, value);
    response.headers.set("Cache-Control", "no-store");
    return response;
  });
}

/** A JSON body that may be absent (then `{}`), validated by the route's schema. */
export async function readOptionalJson<S extends import("zod").ZodType>(request: Request, schema: S): Promise<import("zod").infer<S>> {
  const length = request.headers.get("content-length");
  if (!request.body || length === "0") {
    const parsed = schema.safeParse({});
    if (!parsed.success) throw invalidInput(parsed.error);
    return parsed.data;
  }
  return readJson(request, schema, 64 * 1024);
}
