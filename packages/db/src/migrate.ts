// Applies prisma/migrations with Prisma's schema engine compiled to WebAssembly, driven
// through @prisma/adapter-pg. It records `_prisma_migrations` exactly like
// `prisma migrate deploy`, so either tool can take over. We use it because the CLI's native
// schema engine is a download this machine cannot make.
import { readFileSync, readdirSync, existsSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { PrismaPg } from "@prisma/adapter-pg";
import { bindMigrationAwareSqlAdapterFactory } from "@prisma/driver-adapter-utils";
import * as bg from "@prisma/schema-engine-wasm/schema_engine_bg";

const here = path.dirname(fileURLToPath(import.meta.url));
export const PRISMA_DIR = path.resolve(here, "../../../prisma");
export const SCHEMA_PATH = path.join(PRISMA_DIR, "schema.prisma");
export const MIGRATIONS_DIR = path.join(PRISMA_DIR, "migrations");
const NO_FILTERS = { externalTables: [], externalEnums: [] };

let wasmReady = false;
function loadWasm() {
  if (wasmReady) return;
  const require = createRequire(import.meta.url);
  const wasmPath = require.resolve("@prisma/schema-engine-wasm").replace(/schema_engine\.js$/, "schema_engine_bg.wasm");
  const instance = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(wasmPath)), {
    "./schema_engine_bg.js": bg as unknown as WebAssembly.ModuleImports,
  });
  (bg as unknown as { __wbg_set_wasm(e: unknown): void }).__wbg_set_wasm(instance.exports);
  (instance.exports as { __wbindgen_start(): void }).__wbindgen_start();
  wasmReady = true;
}

type PgAdapter = Awaited<ReturnType<PrismaPg["connect"]>>;

/**
 * adapter-pg runs a migration script by splitting it on ";", which cuts a function body (and a
 * comment with a semicolon) apart. Postgres takes a multi-statement script as one simple query,
 * in one implicit transaction, which is how `prisma migrate deploy` sends it too.
 */
function wholeScripts(factory: PrismaPg): PrismaPg {
  const patch = (adapter: PgAdapter): PgAdapter => {
    adapter.executeScript = async (script: string) => {
      try {
        await adapter.underlyingDriver().query(script);
      } catch (error) {
        (adapter as unknown as { onError(e: unknown): never }).onError(error);
      }
    };
    return adapter;
  };
  const connect = factory.connect.bind(factory);
  const connectToShadowDb = factory.connectToShadowDb.bind(factory);
  factory.connect = async () => patch(await connect());
  factory.connectToShadowDb = async () => patch(await connectToShadowDb());
  return factory;
}

/** Runs `fn` with a schema engine on its own pool, closed afterwards (no lingering connections). */
async function withSchemaEngine<T>(connectionString: string, fn: (engine: bg.SchemaEngine) => Promise<T>): Promise<T> {
  loadWasm();
  const schemaText = readFileSync(SCHEMA_PATH, "utf8");
  const pool = new pg.Pool({ connectionString, max: 2 });
  const adapter = bindMigrationAwareSqlAdapterFactory(wholeScripts(new PrismaPg(pool)));
  const engine = await bg.SchemaEngine.new({ datamodels: [[SCHEMA_PATH, schemaText]] } as never, () => {}, adapter);
  try {
    return await fn(engine);
  } finally {
    engine.free();
    await pool.end();
  }
}

/** Creates the database named in the URL when it does not exist yet. */
export async function ensureDatabase(connectionString: string): Promise<void> {
  const url = new URL(connectionString);
  const name = decodeURIComponent(url.pathname.replace(/^\//, ""));
  const admin = new URL(connectionString);
  admin.pathname = "/postgres";
  const client = new pg.Client({ connectionString: admin.toString(), connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    const found = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE "${name.replaceAll('"', '""')}"`);
  } catch (error) {
    // Two processes racing to create the same database: the loser sees duplicate_database.
    if ((error as { code?: string }).code !== "42P04") throw error;
  } finally {
    await client.end();
  }
}

export function readMigrations() {
  const names = existsSync(MIGRATIONS_DIR)
    ? readdirSync(MIGRATIONS_DIR, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort()
    : [];
  return {
    baseDir: MIGRATIONS_DIR,
    lockfile: { path: "migration_lock.toml", content: readFileSync(path.join(MIGRATIONS_DIR, "migration_lock.toml"), "utf8") },
    shadowDbInitScript: "",
    migrationDirectories: names.map((name) => ({
      path: name,
      migrationFile: {
        path: "migration.sql",
        content: { tag: "ok" as const, value: readFileSync(path.join(MIGRATIONS_DIR, name, "migration.sql"), "utf8") },
      },
    })),
  };
}

/** Creates the database if needed and applies every pending migration. Idempotent. */
export async function migrateDatabase(connectionString: string): Promise<string[]> {
  await ensureDatabase(connectionString);
  return withSchemaEngine(connectionString, async (engine) => {
    const result = await engine.applyMigrations({ migrationsList: readMigrations() as never, filters: NO_FILTERS });
    return result.appliedMigrationNames;
  });
}

/** SQL that takes a database from the schema `fromSchema` (or nothing) to the current schema.prisma. */
export async function diffSchemas(fromSchema: string | null, connectionString: string): Promise<string> {
  // A diff of two schema files touches no database, but the engine wants a connection:
  // give it the maintenance database so no target database has to exist.
  const maintenance = new URL(connectionString);
  maintenance.pathname = "/postgres";
  return withSchemaEngine(maintenance.toString(), async (engine) => {
    const to = { tag: "schemaDatamodel" as const, files: [{ path: SCHEMA_PATH, content: readFileSync(SCHEMA_PATH, "utf8") }] };
    const from = fromSchema === null
      ? { tag: "empty" as const }
      : { tag: "schemaDatamodel" as const, files: [{ path: SCHEMA_PATH, content: fromSchema }] };
    const result = await engine.diff({ from, to, script: true, exitCode: null, filters: NO_FILTERS } as never);
    return (result as unknown as { stdout: string }).stdout;
  });
}
