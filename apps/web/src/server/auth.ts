import { betterAuth } from "better-auth";
import { prismaAdapter } from "better-auth/adapters/prisma";
import { APIError, createAuthMiddleware } from "better-auth/api";
import { getDb } from "@docgate/db";
import { env } from "./env";
import { recordDenial, requestMeta } from "./access/deny";
import { consumeLoginAttempt, rateLimitHeaders } from "./access/rate-limit";

function createAuth() {
  return betterAuth({
    appName: "Docgate",
    database: prismaAdapter(getDb(), { provider: "postgresql" }),
    secret: env().BETTER_AUTH_SECRET,
    baseURL: env().DOCGATE_PUBLIC_URL,
    // Same-origin requests only: the host a request was sent to is trusted for that request.
    trustedOrigins: (request) => [env().DOCGATE_PUBLIC_URL, ...sameOrigins(request)],
    emailAndPassword: { enabled: true, disableSignUp: true, minPasswordLength: 8 },
    user: {
      additionalFields: {
        role: { type: "string", required: false, defaultValue: "viewer", input: false },
        disabled: { type: "boolean", required: false, defaultValue: false, input: false },
      },
    },
    session: { expiresIn: 60 * 60 * 24 * 7, updateAge: 60 * 60 * 24 },
    // better-auth's own limiter is per process; sign-in attempts are limited per IP in
    // Redis (shared by every web copy) by the hook below.
    rateLimit: { enabled: true, window: 60, max: 200, customRules: { "/sign-in/email": false } },
    hooks: { before: createAuthMiddleware(async (ctx) => limitSignIn(ctx.path, ctx.request, ctx.body)) },
    databaseHooks: {
      session: {
        create: {
          // A disabled user cannot start a session, whatever their password.
          before: async (session) => {
            const user = await getDb().user.findUnique({ where: { id: session.userId }, select: { disabled: true } });
            return user && !user.disabled ? undefined : false;
          },
        },
      },
    },
    telemetry: { enabled: false },
  });
}

/** Per-IP sign-in attempts (Redis): 429 with Retry-After and X-RateLimit-* past the limit. */
async function limitSignIn(path: string, request: Request | undefined, body: unknown): Promise<void> {
  if (!path.startsWith("/sign-in") || !request) return;
  const meta = requestMeta(request);
  // Without a proxy-supplied address, limit per account instead of one shared bucket that
  // anyone could fill to lock everybody out.
  const email = typeof (body as { email?: unknown } | undefined)?.email === "string" ? (body as { email: string }).email.toLowerCase() : "";
  const result = await consumeLoginAttempt(meta.ip ?? `no-ip:${email}`);
  if (result.allowed) return;
  void recordDenial({ actor: { type: "anonymous" }, meta, status: 429, code: "too_many_sign_in_attempts" });
  throw new APIError(
    "TOO_MANY_REQUESTS",
    { code: "too_many_sign_in_attempts", message: `Too many sign-in attempts from this address; try again in ${result.retryAfterSeconds} s.` },
    { "Retry-After": String(result.retryAfterSeconds), ...rateLimitHeaders(result.state) },
  );
}

function sameOrigins(request: Request | undefined): string[] {
  const host = request?.headers.get("host");
  return host ? [`http://${host}`, `https://${host}`] : [];
}

export type Auth = ReturnType<typeof createAuth>;
const holder = globalThis as unknown as { __docgateAuth?: Auth };

export function auth(): Auth {
  holder.__docgateAuth ??= createAuth();
  return holder.__docgateAuth;
}
