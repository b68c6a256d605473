// Writes a new migration: the SQL between the schema of the last migration (kept in
// prisma/migrations/schema.snapshot.prisma) and prisma/schema.prisma. Usage:
//   npm run db:diff -- add_something
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { databaseUrl } from "../src/env";
import { MIGRATIONS_DIR, SCHEMA_PATH, diffSchemas } from "../src/migrate";

const name = (process.argv[2] ?? "").replace(/[^a-z0-9_]/gi, "_");
if (!name) {
  console.error("Usage: npm run db:diff -- <migration_name>");
  process.exit(2);
}
const snapshotPath = path.join(MIGRATIONS_DIR, "schema.snapshot.prisma");
const previous = existsSync(snapshotPath) ? readFileSync(snapshotPath, "utf8") : null;
const sql = await diffSchemas(previous, databaseUrl());
if (!sql.trim() || /^-- This is an empty migration/.test(sql.trim())) {
  console.log("No schema changes.");
  process.exit(0);
}
const stamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
const dir = path.join(MIGRATIONS_DIR, `${stamp}_${name}`);
mkdirSync(dir, { recursive: true });
writeFileSync(path.join(dir, "migration.sql"), sql);
writeFileSync(snapshotPath, readFileSync(SCHEMA_PATH, "utf8"));
if (!existsSync(path.join(MIGRATIONS_DIR, "migration_lock.toml"))) {
  writeFileSync(path.join(MIGRATIONS_DIR, "migration_lock.toml"), 'provider = "postgresql"\n');
}
console.log(`Wrote ${path.relative(process.cwd(), dir)}/migration.sql`);
