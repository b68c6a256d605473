import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaClient } from "./generated/prisma/client";
import { databaseUrl } from "./env";
import { createSqlRunner, type SqlRunner } from "./fast-sql";

export type Db = PrismaClient;

const runners = new WeakMap<Db, SqlRunner>();

export function createDb(connectionString = databaseUrl(), options: { max?: number } = {}): Db {
  // One pool for Prisma and for the hot-path statements (fastSql): $disconnect ends it.
  const pool = new pg.Pool({ connectionString, max: options.max ?? 10, connectionTimeoutMillis: 5_000 });
  // An idle connection the server drops emits 'error' on the pool; Prisma's adapter listens only
  // once it has connected, and fastSql may be first. The next query reconnects.
  pool.on("error", () => {});
  const adapter = new PrismaPg(pool, { disposeExternalPool: true });
  if (!process.env.DOCGATE_COUNT_QUERIES) {
    const client = new PrismaClient({ adapter });
    runners.set(client, createSqlRunner(pool));
    return client;
  }
  const client = new PrismaClient({ adapter, log: [{ emit: "event", level: "query" }] });
  const count = countQueries(client);
  runners.set(client, createSqlRunner(pool, count));
  return client;
}

/** The hot-path SQL runner on this client's pool (see fast-sql.ts). */
export function fastSql(db: Db): SqlRunner {
  const runner = runners.get(db);
  if (!runner) throw new Error("This Prisma client was not made by createDb: it has no pool for fastSql.");
  return runner;
}

/**
 * Profiling aid (`DOCGATE_COUNT_QUERIES=1`): counts the SQL statements this process sends and
 * prints the totals, by statement shape, every 10 s while it is busy. Off in normal runs.
 */
function countQueries(client: PrismaClient): (query: string) => void {
  const counts = new Map<string, number>();
  let total = 0;
  let printed = 0;
  const count = (query: string) => {
    total++;
    const shape = query.replace(/\s+/g, " ").replace(/"public"\./g, "").slice(0, 90);
    counts.set(shape, (counts.get(shape) ?? 0) + 1);
  };
  (client as unknown as { $on(event: "query", cb: (e: { query: string }) => void): void }).$on("query", (e) => count(e.query));
  const timer = setInterval(() => {
    if (total === printed) return;
    printed = total;
    const top = [...counts].sort((a, b) => b[1] - a[1]).slice(0, 25);
    console.log(`[queries] pid ${process.pid} ${process.argv.slice(2).join(" ")}: ${total} statements\n${top.map(([q, n]) => `  ${n}\t${q}`).join("\n")}`);
  }, 10_000);
  timer.unref();
  return count;
}

const holder = globalThis as unknown as { __docgateDb?: Db };

/** One client per process (kept on globalThis so Next dev reloads do not leak pools). */
export function getDb(): Db {
  holder.__docgateDb ??= createDb();
  return holder.__docgateDb;
}
