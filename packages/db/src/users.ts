import { randomUUID } from "node:crypto";
import { hashPassword } from "better-auth/crypto";
import type { Db } from "./client";
import type { Prisma, Role, User } from "./generated/prisma/client";
import { writeAudit } from "./audit";
import type { ChangeContext } from "./api-keys";
import { DomainError } from "./domain-error";

export type UserView = Pick<User, "id" | "email" | "name" | "role" | "disabled" | "createdAt" | "updatedAt">;
const VIEW = { id: true, email: true, name: true, role: true, disabled: true, createdAt: true, updatedAt: true } as const;

export function listUsers(db: Pick<Db, "user">): Promise<UserView[]> {
  return db.user.findMany({ select: VIEW, orderBy: { createdAt: "asc" } });
}

export async function getUser(db: Pick<Db, "user">, id: string): Promise<UserView> {
  const user = await db.user.findUnique({ where: { id }, select: VIEW });
  if (!user) throw new DomainError("not_found", "user_not_found", "There is no user with this id.");
  return user;
}

/** A user who signs in with email and password (the same credential rows better-auth writes). */
export async function createUser(
  db: Db,
  input: { email: string; password: string; role: Role; name?: string },
  change: ChangeContext,
): Promise<UserView> {
  const email = input.email.trim().toLowerCase();
  const hash = await hashPassword(input.password);
  return db.$transaction(async (tx) => {
    if (await tx.user.findUnique({ where: { email }, select: { id: true } })) {
      throw new DomainError("conflict", "email_taken", "A user with this email already exists.");
    }
    const id = randomUUID();
    const user = await tx.user.create({
      data: { id, email, name: input.name?.trim() || email.split("@")[0] || email, role: input.role, emailVerified: true },
      select: VIEW,
    });
    await tx.account.create({ data: { id: randomUUID(), accountId: id, providerId: "credential", userId: id, password: hash } });
    await writeAudit(tx, { ...change, action: "user.create", target: id, metadata: { email, role: input.role } });
    return user;
  });
}

// Serialises admin-count checks so two admins cannot demote each other at the same moment.
const ADMIN_LOCK_KEY = 0x64677573; // "dgus"

/**
 * Changes a user's role or disabled flag. The last active admin can be neither demoted nor
 * disabled. Disabling also ends the user's sessions.
 */
export async function updateUser(
  db: Db,
  input: { id: string; role?: Role; disabled?: boolean },
  change: ChangeContext,
): Promise<UserView> {
  return db.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${ADMIN_LOCK_KEY})`;
    const user = await tx.user.findUnique({ where: { id: input.id }, select: VIEW });
    if (!user) throw new DomainError("not_found", "user_not_found", "There is no user with this id.");
    const role = input.role ?? user.role;
    const disabled = input.disabled ?? user.disabled;
    const wasActiveAdmin = user.role === "admin" && !user.disabled;
    const staysActiveAdmin = role === "admin" && !disabled;
    if (wasActiveAdmin && !staysActiveAdmin) {
      const others = await tx.user.count({ where: { role: "admin", disabled: false, id: { not: user.id } } });
      if (others === 0) {
        throw new DomainError("conflict", "last_admin", "This is the last active admin: make another user admin first.");
      }
    }
    const changes: Prisma.InputJsonObject = {
      ...(role !== user.role ? { role: { from: user.role, to: role } } : {}),
      ...(disabled !== user.disabled ? { disabled: { from: user.disabled, to: disabled } } : {}),
    };
    if (Object.keys(changes).length === 0) return user;
    const updated = await tx.user.update({ where: { id: user.id }, data: { role, disabled }, select: VIEW });
    const sessionsEnded = disabled && !user.disabled ? (await tx.session.deleteMany({ where: { userId: user.id } })).count : 0;
    await writeAudit(tx, { ...change, action: "user.update", target: user.id, metadata: { email: user.email, changes, sessionsEnded } });
    return updated;
  });
}

/** "Log out everywhere": ends every session of the user. */
export async function endUserSessions(db: Db, input: { id: string }, change: ChangeContext): Promise<{ ended: number }> {
  return db.$transaction(async (tx) => {
    const user = await tx.user.findUnique({ where: { id: input.id }, select: { id: true } });
    if (!user) throw new DomainError("not_found", "user_not_found", "There is no user with this id.");
    const { count } = await tx.session.deleteMany({ where: { userId: user.id } });
    await writeAudit(tx, { ...change, action: "session.revoke_all", target: user.id, metadata: { ended: count } });
    return { ended: count };
  });
}
