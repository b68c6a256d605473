export * from "./generated/prisma/client";
export { createDb, fastSql, getDb, type Db } from "./client";
export { sql, SqlFragment, utcTimestamp, type SqlRunner } from "./fast-sql";
export { databaseUrl, DEFAULT_DATABASE_URL } from "./env";
export * from "./audit";
export * from "./api-keys";
export { seed, BUILTIN_SERVICES, validateBootstrapKey, type SeedOptions, type SeedResult } from "./seed";
export * from "./users";
export * from "./domain-error";
