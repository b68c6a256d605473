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
  return new PrismaClient({ adapter });
}

const holder = globalThis as unknown as { __docgateDb?: Db };

/** One client per process (kept on globalThis so Next dev reloads do not leak pools). */
export function getDb(): Db {
  holder.__docgateDb ??= createDb();
  return holder.__docgateDb;
}
