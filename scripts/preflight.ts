// Checks that Postgres and Redis answer before anything starts, and says how to fix it if not.
import pg from "pg";
import { Redis } from "ioredis";

const databaseUrl = process.env.DATABASE_URL || "postgresql://postgres@127.0.0.1:5432/docgate";
const redisUrl = process.env.REDIS_URL || "redis://127.0.0.1:6379";
const hint = "Start them with `docker compose up -d postgres redis` (or your own services), or point DATABASE_URL / REDIS_URL at running ones.";
const redact = (url: string) => url.replace(/\/\/([^:@/]+):[^@/]*@/, "//$1:***@");

let failed = false;
const maintenance = new URL(databaseUrl);
maintenance.pathname = "/postgres";
const client = new pg.Client({ connectionString: maintenance.toString(), connectionTimeoutMillis: 3_000 });
try {
  await client.connect();
  await client.query("SELECT 1");
} catch (error) {
  failed = true;
  console.error(`✗ Postgres is not reachable at ${redact(databaseUrl)} (${(error as Error).message || (error as { code?: string }).code}).`);
} finally {
  await client.end().catch(() => {});
}

const redis = new Redis(redisUrl, { lazyConnect: true, connectTimeout: 3_000, maxRetriesPerRequest: 0, retryStrategy: () => null });
let redisError = "";
redis.on("error", (error: Error) => {
  redisError ||= error.message; // the first error says why (e.g. ECONNREFUSED); later ones only "closed"
});
try {
  await redis.connect();
  await redis.ping();
} catch (error) {
  failed = true;
  console.error(`✗ Redis is not reachable at ${redact(redisUrl)} (${redisError || (error as Error).message}).`);
} finally {
  redis.disconnect();
}

if (failed) {
  console.error(hint);
  process.exit(1);
}
