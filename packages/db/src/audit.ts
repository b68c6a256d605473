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
const AUDIT_LOCK_KEY = 0x646f6367; // "docg"

/** Writes one audit row. Call it with the transaction client of the change it records. */
export async function writeAudit(tx: Prisma.TransactionClient, entry: AuditEntry): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(${AUDIT_LOCK_KEY})`;
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

export function auditHash(row: {
  at: Date; actorType: string; actorId: string | null; action: string; target: string | null;
  ip: string | null; userAgent: string | null; metadata: unknown; prevHash: string | null;
}): string {
  const canonical = canonicalJson([
    row.at.toISOString(), row.actorType, row.actorId, row.action, row.target, row.ip, row.userAgent,
    row.metadata, row.prevHash,
  ]);
  return createHash("sha256").update(canonical).digest("hex");
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
