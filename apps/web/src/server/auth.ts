import { betterAuth } from "better-auth";
import { prismaAdapter } from "better-auth/adapters/prisma";
import { getDb } from "@docgate/db";
import { env } from "./env";

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
    rateLimit: {
      enabled: true,
      window: 60,
      max: 200,
      customRules: { "/sign-in/email": { window: 60, max: 30 } },
    },
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
