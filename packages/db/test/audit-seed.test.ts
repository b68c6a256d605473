import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyPassword } from "better-auth/crypto";
import { auditHash, writeAudit } from "../src/audit";
import { findApiKey } from "../src/api-keys";
import { seed } from "../src/seed";
import { migrateDatabase } from "../src/migrate";
import { createTestDatabase, type TestDatabase } from "../src/testing";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.drop();
});

describe("migrations", () => {
  it("are idempotent: a migrated database has nothing left to apply", async () => {
    expect(await migrateDatabase(database.url)).toEqual([]);
  });
});

describe("seed", () => {
  const bootstrap = "dg_bootstrap_0123456789abcdefghijkl";

  it("creates the admin, the built-in services and the bootstrap key once", async () => {
    const first = await seed(database.db, { adminEmail: "Admin@Example.test", bootstrapApiKey: bootstrap });
    expect(first.adminCreated).toBe(true);
    expect(first.generatedPassword).toMatch(/^.{12,}$/);
    const second = await seed(database.db, { adminEmail: "admin@example.test", bootstrapApiKey: bootstrap });
    expect(second).toEqual({ adminCreated: false });

    const admin = await database.db.user.findUniqueOrThrow({ where: { email: "admin@example.test" }, include: { accounts: true } });
    expect(admin.role).toBe("admin");
    expect(await verifyPassword({ hash: admin.accounts[0]!.password!, password: first.generatedPassword! })).toBe(true);
    expect((await database.db.service.findMany()).map((s) => s.name).sort()).toEqual(["classification", "quality"]);
    const key = await findApiKey(database.db, bootstrap);
    expect(key.ok && key.key.role).toBe("admin");
    expect(await database.db.apiKey.count()).toBe(1);
  });

  it("restores a revoked bootstrap key, and refuses a malformed one", async () => {
    await database.db.apiKey.updateMany({ data: { revokedAt: new Date() } });
    await seed(database.db, { adminEmail: "admin@example.test", bootstrapApiKey: bootstrap });
    expect((await findApiKey(database.db, bootstrap)).ok).toBe(true);
    await expect(seed(database.db, { adminEmail: "admin@example.test", bootstrapApiKey: "short" })).rejects.toThrow(/dg_/);
  });
});

describe("audit log", () => {
  it("chains every row to the one before, so an edit is detectable", async () => {
    for (const action of ["a.one", "a.two", "a.three"]) {
      await database.db.$transaction((tx) => writeAudit(tx, { actor: { type: "system" }, action, metadata: { n: action } }));
    }
    const rows = await database.db.auditLog.findMany({ orderBy: { id: "asc" } });
    for (const [i, row] of rows.entries()) {
      expect(row.prevHash).toBe(i === 0 ? null : rows[i - 1]!.hash);
      expect(auditHash(row)).toBe(row.hash);
    }
    const tampered = { ...rows.at(-1)!, action: "a.changed" };
    expect(auditHash(tampered)).not.toBe(rows.at(-1)!.hash);
  });

  it("writes nothing when the change it records rolls back", async () => {
    const before = await database.db.auditLog.count();
    await expect(
      database.db.$transaction(async (tx) => {
        await writeAudit(tx, { actor: { type: "system" }, action: "x.fail" });
        throw new Error("the change failed");
      }),
    ).rejects.toThrow("the change failed");
    expect(await database.db.auditLog.count()).toBe(before);
  });
});
