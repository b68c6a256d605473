import { createHash } from "node:crypto";
import type { Prisma } from "./generated/prisma/client";

export type AuditActor =
  | { type: "user"; id: string }
  | { type: "api_key"; id: string }
  | { type: "system"; id?: string }
  | { type: "anonymous" };

export type AuditEntry = {
  actor: AuditActor;
  /** `resource.verb`, e.g. `api_key.create`, `job.create`, `access.deny`. */
  action: string;
  target?: string | null;
  ip?: string | null;
  userAgent?: string | null;
  metadata?: Prisma.InputJsonObject;
};

// Every audit row carries the hash of the one before it, so a deleted or edited row breaks
// the chain. The advisory lock serialises writers so the chain never forks.
/** The advisory lock every audit writer holds until it commits. */
export const AUDIT_LOCK = 0x646f6367; // "docg"

/** Writes one audit row. Call it with the transaction client of the change it records. */
export async function writeAudit(tx: Prisma.TransactionClient, entry: AuditEntry): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(${AUDIT_LOCK})`;
  const last = await tx.auditLog.findFirst({ orderBy: { id: "desc" }, select: { hash: true } });
  const at = new Date();
  const row = {
    at,
    actorType: entry.actor.type,
    actorId: "id" in entry.actor ? (entry.actor.id ?? null) : null,
    action: entry.action,
    target: entry.target ?? null,
    ip: entry.ip ?? null,
    userAgent: entry.userAgent ?? null,
    metadata: entry.metadata ?? {},
    prevHash: last?.hash ?? null,
  };
  await tx.auditLog.create({ data: { ...row, hash: auditHash(row) } });
}

export type AuditHashedFields = {
  at: Date; actorType: string; actorId: string | null; action: string; target: string | null;
  ip: string | null; userAgent: string | null; metadata: unknown; prevHash: string | null;
};

export function auditHash(row: AuditHashedFields): string {
  return createHash("sha256").update(auditCanonicalText(row)).digest("hex");
}

/** The text a row's hash covers (SHA-256 of its UTF-8 bytes). */
export function auditCanonicalText(row: AuditHashedFields): string {
  return canonicalJson([
    row.at.toISOString(), row.actorType, row.actorId, row.action, row.target, row.ip, row.userAgent,
    row.metadata, row.prevHash,
  ]);
}

/**
 * For writers that let Postgres finish a row (an id it picks, the previous hash it reads under
 * the lock): the canonical text cut around string placeholders. Joining the pieces with each
 * value's JSON text (`to_json(value)::text` in SQL) gives exactly `auditCanonicalText`.
 */
export function auditCanonicalPieces(row: AuditHashedFields, placeholders: string[]): string[] {
  let pieces = [auditCanonicalText(row)];
  for (const placeholder of placeholders) {
    const last = pieces.pop()!;
    const cut = last.split(JSON.stringify(placeholder));
    if (cut.length !== 2) throw new Error(`The placeholder ${placeholder} must occur once in the audit row.`);
    pieces = [...pieces, ...cut];
  }
  return pieces;
}

/** JSON with object keys sorted: Postgres jsonb reorders keys, the hash must not care. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value ?? null);
}

// ── Reading and verifying ─────────────────────────────────────────────────────

export type AuditFilter = {
  action?: string;
  /** An actor id (user or key id). */
  actor?: string;
  target?: string;
  from?: Date;
  to?: Date;
  /** Rows with an id below this one (the `nextCursor` of the previous page). */
  before?: bigint;
  limit?: number;
};

export type AuditRowView = {
  id: string; at: Date; actorType: string; actorId: string | null; action: string; target: string | null;
  ip: string | null; userAgent: string | null; metadata: unknown; hash: string;
};

/** Newest first. An `action` ending in `.` or `*` matches a prefix (`api_key.*`). */
export async function listAudit(
  db: { auditLog: Prisma.TransactionClient["auditLog"] },
  filter: AuditFilter,
): Promise<{ items: AuditRowView[]; nextCursor: string | null }> {
  const limit = Math.min(Math.max(filter.limit ?? 100, 1), 1000);
  const action = filter.action?.endsWith("*") || filter.action?.endsWith(".")
    ? { startsWith: filter.action.replace(/\*$/, "") }
    : filter.action;
  const rows = await db.auditLog.findMany({
    where: {
      ...(action ? { action } : {}),
      ...(filter.actor ? { actorId: filter.actor } : {}),
      ...(filter.target ? { target: filter.target } : {}),
      ...(filter.from || filter.to ? { at: { ...(filter.from ? { gte: filter.from } : {}), ...(filter.to ? { lt: filter.to } : {}) } } : {}),
      ...(filter.before !== undefined ? { id: { lt: filter.before } } : {}),
    },
    orderBy: { id: "desc" },
    take: limit + 1,
  });
  const page = rows.slice(0, limit);
  return {
    items: page.map((r) => ({
      id: r.id.toString(), at: r.at, actorType: r.actorType, actorId: r.actorId, action: r.action, target: r.target,
      ip: r.ip, userAgent: r.userAgent, metadata: r.metadata, hash: r.hash,
    })),
    nextCursor: rows.length > limit ? page.at(-1)!.id.toString() : null,
  };
}

export type ChainCheck = { ok: boolean; checked: number; firstBrokenId: string | null };

/**
 * Walks the whole log in id order: every row's hash must match its content, and its
 * `prevHash` the hash of the row before. The first row that fails is named. (An edited row
 * fails its own hash; a deleted row breaks the next row's link.)
 */
export async function verifyAuditChain(db: { auditLog: Prisma.TransactionClient["auditLog"] }, batchSize = 2_000): Promise<ChainCheck> {
  let checked = 0;
  let previous: string | null = null;
  let after: bigint | undefined;
  for (;;) {
    const rows = await db.auditLog.findMany({
      where: after !== undefined ? { id: { gt: after } } : {},
      orderBy: { id: "asc" },
      take: batchSize,
    });
    for (const row of rows) {
      const linked = row.prevHash === previous; // the first row links to nothing
      if (!linked || auditHash(row) !== row.hash) return { ok: false, checked, firstBrokenId: row.id.toString() };
      previous = row.hash;
      checked += 1;
    }
    if (rows.length < batchSize) return { ok: true, checked, firstBrokenId: null };
    after = rows.at(-1)!.id;
  }
}
