import { randomBytes } from "node:crypto";

/**
 * A UUID v7 (time-ordered, as Prisma's `uuid(7)` makes them), for rows this package inserts
 * with plain SQL: the ids are known before the statement runs, so one statement can write a
 * job, its tasks and the rows that point at them.
 */
export function uuidv7(now = Date.now()): string {
  const bytes = randomBytes(16);
  bytes.writeUIntBE(now, 0, 6);
  bytes[6] = 0x70 | (bytes[6]! & 0x0f);
  bytes[8] = 0x80 | (bytes[8]! & 0x3f);
  const hex = bytes.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
