import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey, findApiKey, generateApiKeySecret, hasValidChecksum, hashApiKey } from "../src/api-keys";
import { createTestDatabase, type TestDatabase } from "../src/testing";

describe("API key secrets", () => {
  it("are dg_-prefixed, long, unique, and carry a checksum", () => {
    const secrets = new Set(Array.from({ length: 200 }, generateApiKeySecret));
    expect(secrets.size).toBe(200);
    for (const secret of secrets) {
      expect(secret).toMatch(/^dg_[0-9A-Za-z]{36}$/);
      expect(hasValidChecksum(secret)).toBe(true);
    }
  });

  it("detect a mistyped key by its checksum", () => {
    const secret = generateApiKeySecret();
    const typo = secret.slice(0, 10) + (secret[10] === "a" ? "b" : "a") + secret.slice(11);
    expect(hasValidChecksum(typo)).toBe(false);
  });
});

describe("stored keys", () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database.drop();
  });

  it("store only the hash and a short start, and find the key by its secret", async () => {
    const { row, secret } = await createApiKey(database.db, { name: "ci", role: "operator", services: ["quality"] });
    expect(row.hash).toBe(hashApiKey(secret));
    expect(JSON.stringify(row)).not.toContain(secret);
    expect(secret.startsWith(row.start)).toBe(true);
    const found = await findApiKey(database.db, secret);
    expect(found.ok && found.key.id).toBe(row.id);
  });

  it("refuse revoked, expired and unknown keys", async () => {
    const revoked = await createApiKey(database.db, { name: "old", role: "viewer" });
    await database.db.apiKey.update({ where: { id: revoked.row.id }, data: { revokedAt: new Date() } });
    expect(await findApiKey(database.db, revoked.secret)).toEqual({ ok: false, reason: "revoked" });

    const expired = await createApiKey(database.db, { name: "tmp", role: "viewer", expiresAt: new Date(Date.now() - 1000) });
    expect(await findApiKey(database.db, expired.secret)).toEqual({ ok: false, reason: "expired" });

    expect(await findApiKey(database.db, generateApiKeySecret())).toEqual({ ok: false, reason: "unknown" });
    expect(await findApiKey(database.db, "not-a-key")).toEqual({ ok: false, reason: "unknown" });
  });
});
