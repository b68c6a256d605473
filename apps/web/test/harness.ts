// Boots the real back end inside a test process: a fresh database, its own Redis prefix, the
// service workers and system workers, exactly as apps/workers runs them. Route handlers are
// then called directly with standard Requests.
import { randomBytes } from "node:crypto";
import { getEventListeners } from "node:events";
import os from "node:os";
import path from "node:path";
import { createTestDatabase, type TestDatabase } from "@docgate/db/testing";
import { seed } from "@docgate/db";
import { ensureDefaultModels } from "../../workers/src/models";
import { startServiceWorker } from "../../workers/src/service-worker";
import { startSystemWorkers } from "../../workers/src/system-worker";
import { deleteRedisPrefix } from "../../../scripts/redis-prefix.mjs";

export const BOOTSTRAP_KEY = `dg_test_${randomBytes(16).toString("hex")}`;
export const REDIS_URL = process.env.REDIS_URL || "redis://127.0.0.1:6379";

export type Harness = { database: TestDatabase; prefix: string; stop(): Promise<void> };

/** `healthEveryMs: 0` turns the system worker's health and alert rounds off (tests that run their own). */
export async function startHarness(options: { maxUploadBytes?: number; healthEveryMs?: number } = {}): Promise<Harness> {
  const database = await createTestDatabase();
  const prefix = `dgtest-${randomBytes(4).toString("hex")}`;
  process.env.DATABASE_URL = database.url;
  process.env.DOCGATE_REDIS_PREFIX = prefix;
  process.env.DOCGATE_MAX_UPLOAD_BYTES = String(options.maxUploadBytes ?? 26_214_400);
  process.env.BETTER_AUTH_SECRET = "test-secret-test-secret-test-secret";
  const { db } = database;
  await seed(db, { adminEmail: "admin@test.local", adminPassword: "correct horse battery", bootstrapApiKey: BOOTSTRAP_KEY });
  await ensureDefaultModels(db, process.env.DOCGATE_CACHE_DIR ?? path.join(os.tmpdir(), "docgate-test-cache"));
  const workers = await Promise.all([
    startServiceWorker({ db, redisUrl: REDIS_URL, prefix, service: "classification" }),
    startServiceWorker({ db, redisUrl: REDIS_URL, prefix, service: "quality" }),
  ]);
  const system = await startSystemWorkers({ db, redisUrl: REDIS_URL, prefix, reconcileEveryMs: 500, healthEveryMs: options.healthEveryMs });
  return {
    database,
    prefix,
    async stop() {
      await Promise.all(workers.map((w) => w.close()));
      await system.close();
      const { getDb } = await import("@docgate/db");
      await getDb().$disconnect();
      await database.drop();
      await deleteRedisPrefix(REDIS_URL, prefix); // leave a shared Redis as we found it
    },
  };
}

export function form(parts: { document?: { bytes: Uint8Array | string; filename: string }; services?: string[]; fields?: Record<string, string> }) {
  const body = new FormData();
  if (parts.document) {
    const bytes = typeof parts.document.bytes === "string" ? new TextEncoder().encode(parts.document.bytes) : parts.document.bytes;
    body.append("document", new Blob([new Uint8Array(bytes)]), parts.document.filename);
  }
  for (const service of parts.services ?? []) body.append("services", service);
  for (const [name, value] of Object.entries(parts.fields ?? {})) body.append(name, value);
  return body;
}

export function post(path: string, body: FormData, key: string | null = BOOTSTRAP_KEY): Request {
  return new Request(`http://127.0.0.1${path}`, { method: "POST", body, headers: key ? { authorization: `Bearer ${key}` } : {} });
}

export function get(path: string, key: string | null = BOOTSTRAP_KEY): Request {
  return new Request(`http://127.0.0.1${path}`, { headers: key ? { authorization: `Bearer ${key}` } : {} });
}

export { eventually } from "@docgate/db/testing";

/**
 * What a long-lived signal (stopping()) holds for requests: abort listeners, and the signals
 * Node 20's AbortSignal.any derived from it (an internal set that never shrinks).
 */
export function held(signal: AbortSignal): { listeners: number; dependants: number } {
  const dependants = Object.getOwnPropertySymbols(signal).find((s) => s.description === "kDependantSignals");
  const set = dependants ? (signal as unknown as Record<symbol, Set<unknown> | undefined>)[dependants] : undefined;
  return { listeners: getEventListeners(signal, "abort").length, dependants: set?.size ?? 0 };
}

/**
 * The gateway alone with Redis unreachable (nothing listens on port 1): a fresh seeded
 * database and no workers. `drop()` disconnects and removes the database.
 */
export async function startGatewayWithoutRedis(prefix: string): Promise<TestDatabase> {
  const database = await createTestDatabase();
  process.env.DATABASE_URL = database.url;
  process.env.REDIS_URL = "redis://127.0.0.1:1";
  process.env.DOCGATE_REDIS_PREFIX = prefix;
  process.env.BETTER_AUTH_SECRET = "test-secret-test-secret-test-secret";
  await seed(database.db, { adminEmail: "admin@test.local", adminPassword: "correct horse battery", bootstrapApiKey: BOOTSTRAP_KEY });
  return {
    ...database,
    async drop() {
      const { getDb } = await import("@docgate/db");
      await getDb().$disconnect();
      await database.drop();
    },
  };
}
