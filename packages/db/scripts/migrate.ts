import { databaseUrl } from "../src/env";
import { migrateDatabase } from "../src/migrate";

const started = performance.now();
const applied = await migrateDatabase(databaseUrl());
const took = Math.round(performance.now() - started);
console.log(applied.length ? `Applied migrations: ${applied.join(", ")} (${took} ms)` : `Database is up to date (${took} ms).`);
// The engine's pg pool keeps idle connections open; nothing else is pending.
process.exit(0);
