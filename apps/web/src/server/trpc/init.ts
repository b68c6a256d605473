import { initTRPC, TRPCError } from "@trpc/server";
import superjson from "superjson";
import type { Role } from "@docgate/db";
import { serverContext } from "../context";
import { auth } from "../auth";
import { recordDenial, requestMeta, type RequestMeta } from "../access/deny";

export async function createTrpcContext(opts: { request: Request }) {
  const session = await auth().api.getSession({ headers: opts.request.headers });
  const user = session?.user as (NonNullable<typeof session>["user"] & { role?: Role; disabled?: boolean }) | undefined;
  return {
    ...serverContext(),
    meta: requestMeta(opts.request),
    user: user && !user.disabled ? { id: user.id, email: user.email, role: user.role ?? "viewer" } : null,
  };
}

/** Who changed something and from where, for the audit row of a console mutation. */
export function changeFrom(ctx: { user: { id: string }; meta: RequestMeta }) {
  return { actor: { type: "user" as const, id: ctx.user.id }, ip: ctx.meta.ip, userAgent: ctx.meta.userAgent };
}

const t = initTRPC.context<Awaited<ReturnType<typeof createTrpcContext>>>().create({ transformer: superjson });

export const createTRPCRouter = t.router;

const TRPC_CODE = { invalid: "BAD_REQUEST", not_found: "NOT_FOUND", conflict: "CONFLICT", forbidden: "FORBIDDEN", unavailable: "SERVICE_UNAVAILABLE" } as const;

/** Domain refusals (DomainError: a `kind` and a sentence) reach the console as typed tRPC errors. */
const domainErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok) {
    const cause = result.error.cause as { kind?: keyof typeof TRPC_CODE; message?: string } | undefined;
    if (cause?.kind && cause.kind in TRPC_CODE) {
      throw new TRPCError({ code: TRPC_CODE[cause.kind], message: cause.message ?? "Refused.", cause: result.error.cause });
    }
  }
  return result;
});

const RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };
const withRole = (role: Role) =>
  t.procedure.use(domainErrors).use(({ ctx, next }) => {
    if (!ctx.user) {
      void recordDenial({ actor: { type: "anonymous" }, meta: ctx.meta, status: 401, code: "unauthenticated" });
      throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in first." });
    }
    if (RANK[ctx.user.role] < RANK[role]) {
      void recordDenial({ actor: { type: "user", id: ctx.user.id }, meta: ctx.meta, status: 403, code: "forbidden" });
      throw new TRPCError({ code: "FORBIDDEN", message: `This needs the ${role} role.` });
    }
    return next({ ctx: { ...ctx, user: ctx.user } });
  });

/** Procedure tiers carry the permission check, so a router shows who may call what. */
export const protectedProcedure = withRole("viewer");
export const operatorProcedure = withRole("operator");
export const adminProcedure = withRole("admin");
