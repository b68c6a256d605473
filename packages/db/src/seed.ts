import { randomBytes, randomUUID } from "node:crypto";
import { hashPassword } from "better-auth/crypto";
import type { Db } from "./client";
import { createApiKey, hashApiKey, API_KEY_PREFIX } from "./api-keys";
import { writeAudit } from "./audit";

export const BUILTIN_SERVICES = [
  { name: "classification", tool: "classify_document", concurrency: 4, timeoutMs: 30_000 },
  { name: "quality", tool: "assess_quality", concurrency: 4, timeoutMs: 30_000 },
] as const;

export type SeedOptions = {
  adminEmail: string;
  adminPassword?: string;
  bootstrapApiKey?: string;
};

export type SeedResult = {
  adminCreated: boolean;
  /** Set only when the password was generated here: shown once, never stored in clear. */
  generatedPassword?: string;
};

export function validateBootstrapKey(secret: string): void {
  if (!secret.startsWith(API_KEY_PREFIX) || secret.length < 32) {
    throw new Error(`DOCGATE_BOOTSTRAP_API_KEY must start with "${API_KEY_PREFIX}" and have at least 32 characters.`);
  }
}

/** Idempotent: safe on every start. Never changes an existing admin's password. */
export async function seed(db: Db, options: SeedOptions): Promise<SeedResult> {
  const result: SeedResult = { adminCreated: false };
  for (const service of BUILTIN_SERVICES) {
    await db.service.upsert({
      where: { name: service.name },
      create: { name: service.name, kind: "builtin", concurrency: service.concurrency, timeoutMs: service.timeoutMs },
      update: {},
    });
  }

  const email = options.adminEmail.toLowerCase();
  if (!(await db.user.findUnique({ where: { email } }))) {
    const password = options.adminPassword || randomBytes(12).toString("base64url");
    if (!options.adminPassword) result.generatedPassword = password;
    const hash = await hashPassword(password);
    await db.$transaction(async (tx) => {
      const id = randomUUID();
      await tx.user.create({ data: { id, email, name: "Administrator", role: "admin", emailVerified: true } });
      await tx.account.create({ data: { id: randomUUID(), accountId: id, providerId: "credential", userId: id, password: hash } });
      await writeAudit(tx, { actor: { type: "system" }, action: "user.create", target: id, metadata: { email, role: "admin", via: "seed" } });
    });
    result.adminCreated = true;
  }

  if (options.bootstrapApiKey) {
    validateBootstrapKey(options.bootstrapApiKey);
    const existing = await db.apiKey.findUnique({ where: { hash: hashApiKey(options.bootstrapApiKey) } });
    if (!existing) {
      await db.$transaction(async (tx) => {
        const { row } = await createApiKey(tx, { name: "bootstrap", role: "admin" }, options.bootstrapApiKey);
        await writeAudit(tx, { actor: { type: "system" }, action: "api_key.create", target: row.id, metadata: { name: "bootstrap", via: "seed" } });
      });
    } else if (existing.revokedAt || existing.role !== "admin") {
      // The contract: after start, an admin key with exactly this secret exists.
      await db.$transaction(async (tx) => {
        await tx.apiKey.update({ where: { id: existing.id }, data: { revokedAt: null, role: "admin", expiresAt: null } });
        await writeAudit(tx, { actor: { type: "system" }, action: "api_key.restore", target: existing.id, metadata: { via: "seed" } });
      });
    }
  }
  return result;
}
