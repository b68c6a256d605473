// Fresh databases for tests: every test file gets its own, cloned from a migrated template
// (created once per run by scripts/vitest-global-setup.ts), so tests never share state.
import { randomBytes } from "node:crypto";
import pg from "pg";
import { createDb, type Db } from "./client";
import { migrateDatabase } from "./migrate";

export const TEST_ADMIN_URL = process.env.DOCGATE_TEST_PG_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";

function urlFor(name: string): string {
  const url = new URL(TEST_ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: TEST_ADMIN_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Creates and migrates a template database; returns its name. */
export async function createTemplateDatabase(): Promise<string> {
  const name = `docgate_tmpl_${randomBytes(4).toString("hex")}`;
  await migrateDatabase(urlFor(name));
  return name;
}

export async function dropDatabase(name: string): Promise<void> {
  await admin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
}

export type TestDatabase = { name: string; url: string; db: Db; drop(): Promise<void> };

export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `docgate_test_${randomBytes(6).toString("hex")}`;
  const template = process.env.DOCGATE_TEST_TEMPLATE_DB;
  if (template) {
    await admin((c) => c.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`));
  } else {
    await migrateDatabase(urlFor(name));
  }
  const url = urlFor(name);
  const db = createDb(url, { max: 5 });
  return {
    name,
    url,
    db,
    async drop() {
      await db.$disconnect();
      await dropDatabase(name);
    },
  };
}

/** Polls `check` (every 100 ms) until it returns a value, or fails after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T | undefined | null | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error("condition not met before the deadline");
    await new Promise((r) => setTimeout(r, 100));
  }
}
