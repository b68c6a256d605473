import { createHash, randomBytes } from "node:crypto";
import type { Db } from "./client";
import type { ApiKey, Role } from "./generated/prisma/client";

export const API_KEY_PREFIX = "dg_";
const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

function base62(bytes: Uint8Array): string {
  let out = "";
  for (const b of bytes) out += ALPHABET[b % 62];
  return out;
}

/** A new secret: `dg_` + 32 base62 characters (~190 bits) + a 4-character checksum. */
export function generateApiKeySecret(): string {
  const body = base62(randomBytes(32));
  return `${API_KEY_PREFIX}${body}${checksum(body)}`;
}

function checksum(body: string): string {
  return base62(createHash("sha256").update(body).digest().subarray(0, 4));
}

/** True when a key carries a valid checksum (generated keys do; the bootstrap key need not). */
export function hasValidChecksum(secret: string): boolean {
  if (!secret.startsWith(API_KEY_PREFIX) || secret.length !== API_KEY_PREFIX.length + 36) return false;
  const body = secret.slice(API_KEY_PREFIX.length, -4);
  return checksum(body) === secret.slice(-4);
}

export function hashApiKey(secret: string): string {
  return createHash("sha256").update(secret).digest("hex");
}

export function keyStart(secret: string): string {
  return secret.slice(0, API_KEY_PREFIX.length + 6);
}

export type NewApiKey = {
  name: string;
  role: Role;
  services?: string[];
  rateLimitPerMinute?: number | null;
  expiresAt?: Date | null;
  createdById?: string | null;
};

/** Returns the stored row and the secret, which exists only in this return value. */
export async function createApiKey(db: Pick<Db, "apiKey">, input: NewApiKey, secret = generateApiKeySecret()) {
  const row = await db.apiKey.create({
    data: {
      name: input.name,
      role: input.role,
      services: input.services ?? [],
      rateLimitPerMinute: input.rateLimitPerMinute ?? null,
      expiresAt: input.expiresAt ?? null,
      createdById: input.createdById ?? null,
      hash: hashApiKey(secret),
      start: keyStart(secret),
    },
  });
  return { row, secret };
}

export type KeyCheck =
  | { ok: true; key: ApiKey }
  | { ok: false; reason: "unknown" | "revoked" | "expired" };

export async function findApiKey(db: Pick<Db, "apiKey">, secret: string, now = new Date()): Promise<KeyCheck> {
  if (!secret.startsWith(API_KEY_PREFIX)) return { ok: false, reason: "unknown" };
  const key = await db.apiKey.findUnique({ where: { hash: hashApiKey(secret) } });
  if (!key) return { ok: false, reason: "unknown" };
  if (key.revokedAt) return { ok: false, reason: "revoked" };
  if (key.expiresAt && key.expiresAt <= now) return { ok: false, reason: "expired" };
  return { ok: true, key };
}
