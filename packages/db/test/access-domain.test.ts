import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey, findApiKey, issueApiKey, listApiKeys, revokeApiKey, rollApiKey } from "../src/api-keys";
import { listAudit, verifyAuditChain, writeAudit } from "../src/audit";
import { createUser, updateUser } from "../src/users";
import { DomainError } from "../src/domain-error";
import { createTestDatabase, type TestDatabase } from "../src/testing";

let database: TestDatabase;
const system = { actor: { type: "system" as const } };

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.drop();
});

describe("API key administration", () => {
  it("issues a key whose secrets appear only in the return value", async () => {
    const issued = await issueApiKey(database.db, { name: "svc", role: "operator", requireSignature: true }, system);
    expect(issued.key).toMatch(/^dg_/);
    expect(issued.signingSecret).toMatch(/^dgs_/);
    const listed = await listApiKeys(database.db);
    const text = JSON.stringify(listed);
    expect(text).not.toContain(issued.key);
    expect(text).not.toContain(issued.signingSecret!);
    expect(listed.find((k) => k.id === issued.id)?.requireSignature).toBe(true);
  });

  it("roll keeps the old secret for the grace period only; revoke ends both", async () => {
    const { row, secret: old } = await createApiKey(database.db, { name: "rolling", role: "operator" });
    const rolled = await rollApiKey(database.db, { id: row.id, graceSeconds: 60 }, system);
    expect((await findApiKey(database.db, rolled.key)).ok).toBe(true);
    const viaOld = await findApiKey(database.db, old);
    expect(viaOld.ok && viaOld.viaPreviousSecret).toBe(true);
    // After the grace period:
    expect(await findApiKey(database.db, old, new Date(Date.now() + 61_000))).toEqual({ ok: false, reason: "expired" });
    // A second roll drops the first secret entirely.
    const again = await rollApiKey(database.db, { id: row.id, graceSeconds: 0 }, system);
    expect((await findApiKey(database.db, old)).ok).toBe(false);
    expect((await findApiKey(database.db, rolled.key)).ok).toBe(false);
    await revokeApiKey(database.db, { id: row.id }, system);
    expect(await findApiKey(database.db, again.key)).toEqual({ ok: false, reason: "revoked" });
    await expect(rollApiKey(database.db, { id: row.id }, system)).rejects.toMatchObject({ code: "api_key_revoked" });
  });
});

describe("users", () => {
  it("two admins demoting each other at once leave one admin", async () => {
    const a = await createUser(database.db, { email: "a@t.local", password: "password-a", role: "admin" }, system);
    const b = await createUser(database.db, { email: "b@t.local", password: "password-b", role: "admin" }, system);
    const results = await Promise.allSettled([
      updateUser(database.db, { id: a.id, role: "viewer" }, { actor: { type: "user", id: b.id } }),
      updateUser(database.db, { id: b.id, role: "viewer" }, { actor: { type: "user", id: a.id } }),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const refused = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
    expect(refused.reason).toBeInstanceOf(DomainError);
    expect(refused.reason.code).toBe("last_admin");
    expect(await database.db.user.count({ where: { role: "admin", disabled: false } })).toBe(1);
  });
});

describe("audit chain", () => {
  it("verify names the row after a deleted one, and the row edited in place", async () => {
    for (const action of ["t.one", "t.two", "t.three", "t.four"]) {
      await database.db.$transaction((tx) => writeAudit(tx, { ...system, action, metadata: { action } }));
    }
    expect(await verifyAuditChain(database.db, 3)).toMatchObject({ ok: true, firstBrokenId: null });
    const page = await listAudit(database.db, { action: "t.*", limit: 10 });
    expect(page.items.map((i) => i.action)).toEqual(["t.four", "t.three", "t.two", "t.one"]);
    const [four, three, two] = page.items;

    await database.db.$executeRaw`DELETE FROM "AuditLog" WHERE id = ${BigInt(two!.id)}`;
    expect(await verifyAuditChain(database.db, 3)).toMatchObject({ ok: false, firstBrokenId: three!.id });
    await database.db.$executeRaw`UPDATE "AuditLog" SET "actorType" = 'user' WHERE id = ${BigInt(page.items[3]!.id)}`;
    const check = await verifyAuditChain(database.db);
    expect(check).toMatchObject({ ok: false, firstBrokenId: page.items[3]!.id });
    void four;
  });
});
