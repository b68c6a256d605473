import { createHash, randomBytes } from "node:crypto";
import { fastSql, type Db } from "./client";
import { sql, utcTimestamp } from "./fast-sql";
import type { ApiKey, Prisma, Role } from "./generated/prisma/client";
import { writeAudit, type AuditActor } from "./audit";
import { DomainError } from "./domain-error";

export const API_KEY_PREFIX = "dg_";
export const SIGNING_SECRET_PREFIX = "dgs_";
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

/** A request-signing secret (HMAC-SHA256 key): `dgs_` + 43 base62 characters. */
export function generateSigningSecret(): string {
  return `${SIGNING_SECRET_PREFIX}${base62(randomBytes(43))}`;
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
  dailyDocumentQuota?: number | null;
  maxConcurrentJobs?: number | null;
  /** When true the key gets a signing secret and every request with it must be signed. */
  requireSignature?: boolean;
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
      dailyDocumentQuota: input.dailyDocumentQuota ?? null,
      maxConcurrentJobs: input.maxConcurrentJobs ?? null,
      signingSecret: input.requireSignature ? generateSigningSecret() : null,
      expiresAt: input.expiresAt ?? null,
      createdById: input.createdById ?? null,
      hash: hashApiKey(secret),
      start: keyStart(secret),
    },
  });
  return { row, secret };
}

export type KeyCheck =
  | { ok: true; key: ApiKey; viaPreviousSecret: boolean }
  | { ok: false; reason: "unknown" | "revoked" | "expired" };

/** Finds a usable key by its secret: the current one, or the previous one during a roll's grace period. */
export async function findApiKey(db: Pick<Db, "apiKey">, secret: string, now = new Date()): Promise<KeyCheck> {
  if (!secret.startsWith(API_KEY_PREFIX)) return { ok: false, reason: "unknown" };
  const hash = hashApiKey(secret);
  // The current secret wins over a rolled one (two lookups only when the first misses).
  const key = (await db.apiKey.findUnique({ where: { hash } })) ?? (await db.apiKey.findUnique({ where: { previousHash: hash } }));
  if (!key) return { ok: false, reason: "unknown" };
  const viaPreviousSecret = key.hash !== hash;
  if (key.revokedAt) return { ok: false, reason: "revoked" };
  if (key.expiresAt && key.expiresAt <= now) return { ok: false, reason: "expired" };
  if (viaPreviousSecret && (!key.previousExpiresAt || key.previousExpiresAt <= now)) return { ok: false, reason: "expired" };
  return { ok: true, key, viaPreviousSecret };
}

// ── Administration (each change and its audit row in one transaction) ─────────

/** Who changes something, and from where: written to the audit row. */
export type ChangeContext = { actor: AuditActor; ip?: string | null; userAgent?: string | null };

/** What may be shown about a key: never its hash or signing secret. */
export type ApiKeyView = {
  id: string;
  name: string;
  start: string;
  role: Role;
  services: string[];
  rateLimitPerMinute: number | null;
  dailyDocumentQuota: number | null;
  maxConcurrentJobs: number | null;
  requireSignature: boolean;
  expiresAt: Date | null;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
  rolledAt: Date | null;
  previousExpiresAt: Date | null;
  createdAt: Date;
  createdById: string | null;
};

export function apiKeyView(key: ApiKey): ApiKeyView {
  return {
    id: key.id,
    name: key.name,
    start: key.start,
    role: key.role,
    services: key.services,
    rateLimitPerMinute: key.rateLimitPerMinute,
    dailyDocumentQuota: key.dailyDocumentQuota,
    maxConcurrentJobs: key.maxConcurrentJobs,
    requireSignature: key.signingSecret !== null,
    expiresAt: key.expiresAt,
    revokedAt: key.revokedAt,
    lastUsedAt: key.lastUsedAt,
    rolledAt: key.rolledAt,
    previousExpiresAt: key.previousExpiresAt && key.previousHash ? key.previousExpiresAt : null,
    createdAt: key.createdAt,
    createdById: key.createdById,
  };
}

/** Secrets exist only in this value: show them once. */
export type IssuedApiKey = ApiKeyView & { key: string; signingSecret: string | null };

async function ensureServicesExist(tx: Prisma.TransactionClient, services: string[] | undefined): Promise<void> {
  if (!services?.length) return;
  const found = await tx.service.findMany({ where: { name: { in: services } }, select: { name: true } });
  const unknown = services.filter((s) => !found.some((f) => f.name === s));
  if (unknown.length) throw new DomainError("invalid", "unknown_service", `Unknown service: ${unknown.join(", ")}.`);
}

export async function issueApiKey(db: Db, input: NewApiKey, change: ChangeContext): Promise<IssuedApiKey> {
  if (input.expiresAt && input.expiresAt <= new Date()) {
    throw new DomainError("invalid", "invalid_expiry", "`expiresAt` must be in the future.");
  }
  return db.$transaction(async (tx) => {
    await ensureServicesExist(tx, input.services);
    const { row, secret } = await createApiKey(tx, input);
    await writeAudit(tx, {
      ...change,
      action: "api_key.create",
      target: row.id,
      metadata: {
        name: row.name, role: row.role, services: row.services, start: row.start,
        rateLimitPerMinute: row.rateLimitPerMinute, requireSignature: row.signingSecret !== null,
        expiresAt: row.expiresAt?.toISOString() ?? null,
      },
    });
    return { ...apiKeyView(row), key: secret, signingSecret: row.signingSecret };
  });
}

export async function listApiKeys(db: Pick<Db, "apiKey">, options: { includeRevoked?: boolean } = {}): Promise<ApiKeyView[]> {
  const rows = await db.apiKey.findMany({
    where: options.includeRevoked === false ? { revokedAt: null } : {},
    orderBy: { createdAt: "desc" },
  });
  return rows.map(apiKeyView);
}

export const DEFAULT_ROLL_GRACE_SECONDS = 3_600;

/**
 * Replaces a key's secret. The old secret keeps working for `graceSeconds` (0: stops now),
 * so clients can switch without downtime. Limits, role and history stay with the key.
 */
export async function rollApiKey(
  db: Db,
  input: { id: string; graceSeconds?: number; rotateSigningSecret?: boolean },
  change: ChangeContext,
): Promise<IssuedApiKey> {
  const graceSeconds = input.graceSeconds ?? DEFAULT_ROLL_GRACE_SECONDS;
  return db.$transaction(async (tx) => {
    const key = await tx.apiKey.findUnique({ where: { id: input.id } });
    if (!key) throw new DomainError("not_found", "api_key_not_found", "There is no API key with this id.");
    if (key.revokedAt) throw new DomainError("conflict", "api_key_revoked", "This key is revoked; create a new one instead.");
    const secret = generateApiKeySecret();
    const now = new Date();
    const row = await tx.apiKey.update({
      where: { id: key.id },
      data: {
        hash: hashApiKey(secret),
        start: keyStart(secret),
        previousHash: graceSeconds > 0 ? key.hash : null,
        previousExpiresAt: graceSeconds > 0 ? new Date(now.getTime() + graceSeconds * 1000) : null,
        rolledAt: now,
        ...(input.rotateSigningSecret && key.signingSecret ? { signingSecret: generateSigningSecret() } : {}),
      },
    });
    await writeAudit(tx, {
      ...change,
      action: "api_key.roll",
      target: key.id,
      metadata: { previousStart: key.start, start: row.start, graceSeconds, rotatedSigningSecret: Boolean(input.rotateSigningSecret && key.signingSecret) },
    });
    const rotated = row.signingSecret !== key.signingSecret;
    return { ...apiKeyView(row), key: secret, signingSecret: rotated ? row.signingSecret : null };
  });
}

/** Revokes a key (and any previous secret still in its grace period). Idempotent. */
export async function revokeApiKey(db: Db, input: { id: string }, change: ChangeContext): Promise<ApiKeyView> {
  return db.$transaction(async (tx) => {
    const key = await tx.apiKey.findUnique({ where: { id: input.id } });
    if (!key) throw new DomainError("not_found", "api_key_not_found", "There is no API key with this id.");
    if (key.revokedAt) return apiKeyView(key);
    const row = await tx.apiKey.update({ where: { id: key.id }, data: { revokedAt: new Date(), previousExpiresAt: null } });
    await writeAudit(tx, { ...change, action: "api_key.revoke", target: key.id, metadata: { name: key.name, start: key.start } });
    return apiKeyView(row);
  });
}

// ── Usage against the key's resource limits (Postgres: survives Redis loss) ─────

export const DEFAULT_MAX_CONCURRENT_JOBS = 20;

/** Jobs this key has queued or running right now. */
export async function countActiveJobs(db: Db, apiKeyId: string): Promise<number> {
  // On every upload: straight SQL (fast-sql.ts).
  const [row] = await fastSql(db).query<{ n: number }>(sql`
    SELECT count(*)::int AS "n" FROM "Job" WHERE "apiKeyId" = ${apiKeyId} AND "status" IN ('queued', 'running')`);
  return row?.n ?? 0;
}

/** Documents (jobs) this key submitted since 00:00 UTC today. */
export async function countJobsToday(db: Db, apiKeyId: string, now = new Date()): Promise<number> {
  const midnight = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  const [row] = await fastSql(db).query<{ n: number }>(sql`
    SELECT count(*)::int AS "n" FROM "Job" WHERE "apiKeyId" = ${apiKeyId} AND "createdAt" >= ${utcTimestamp(midnight)}`);
  return row?.n ?? 0;
}
