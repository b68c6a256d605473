import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "./generated/prisma/client";
import { databaseUrl } from "./env";

export type Db = PrismaClient;

export function createDb(connectionString = databaseUrl(), options: { max?: number } = {}): Db {
  const adapter = new PrismaPg({
    connectionString,
    max: options.max ?? 10,
    connectionTimeoutMillis: 5_000,
  });
  if (!process.env.DOCGATE_COUNT_QUERIES) return new PrismaClient({ adapter });
  const client = new PrismaClient({ adapter, log: [{ emit: "event", level: "query" }] });
  countQueries(client);
  return client;
}

/**
 * Profiling aid (`DOCGATE_COUNT_QUERIES=1`): counts the SQL statements this process sends and
 * prints the totals, by statement shape, every 10 s while it is busy. Off in normal runs.
 */
function countQueries(client: PrismaClient) {
  const counts = new Map<string, number>();
  let total = 0;
  let printed = 0;
  (client as unknown as { $on(event: "query", cb: (e: { query: string }) => void): void }).$on("query", (e) => {
    total++;
    const shape = e.query.replace(/\s+/g, " ").replace(/"public"\./g, "").slice(0, 90);
    counts.set(shape, (counts.get(shape) ?? 0) + 1);
  });
  const timer = setInterval(() => {
    if (total === printed) return;
    printed = total;
    const top = [...counts].sort((a, b) => b[1] - a[1]).slice(0, 25);
    console.log(`[queries] pid ${process.pid} ${process.argv.slice(2).join(" ")}: ${total} statements\n${top.map(([q, n]) => `  ${n}\t${q}`).join("\n")}`);
  }, 10_000);
  timer.unref();
}

const holder = globalThis as unknown as { __docgateDb?: Db };

/** One client per process (kept on globalThis so Next dev reloads do not leak pools). */
export function getDb(): Db {
  holder.__docgateDb ??= createDb();
  return holder.__docgateDb;
}
