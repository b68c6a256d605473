import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, fastSql, type Db } from "../src/client";
import { sql } from "../src/fast-sql";
import { createTestDatabase, type TestDatabase } from "../src/testing";

// One connection, so "the same connection" is observable as the same backend pid.
describe("fastSql on a one-connection pool", () => {
  let database: TestDatabase;
  let db: Db;
  beforeAll(async () => {
    database = await createTestDatabase();
    db = createDb(database.url, { max: 1 });
  });
  afterAll(async () => {
    await db.$disconnect();
    await database.drop();
  });

  const backend = async () => (await fastSql(db).query<{ pid: number }>(sql`SELECT pg_backend_pid() AS "pid"`))[0]!.pid;

  it("keeps the connection (and its prepared statements) when Postgres refuses a statement", async () => {
    const before = await backend();
    await expect(fastSql(db).query(sql`SELECT 1 / ${0}::int`)).rejects.toMatchObject({ code: "22012" });
    await expect(fastSql(db).query(sql`SELECT ${"not a number"}::int`)).rejects.toMatchObject({ code: "22P02" });
    expect(await backend()).toBe(before);
  });

  it("drops a connection the server ended, and the next statement gets a fresh one", async () => {
    const before = await backend();
    await expect(fastSql(db).query(sql`SELECT pg_terminate_backend(pg_backend_pid())`)).rejects.toBeTruthy();
    const after = await backend();
    expect(after).not.toBe(before);
  });
});
