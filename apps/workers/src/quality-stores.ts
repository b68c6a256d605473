// The stores the quality MCP server takes from its host: validation profiles (Postgres) and the
// simhash signatures of stored documents for near-duplicate detection (saved in Document.simhash,
// compared in the worker's SignatureWindow). Both run on every quality task, so their statements
// go straight to pg (fast-sql.ts).
import { fastSql, sql, type Db, type SqlFragment } from "@docgate/db";
import type { ProfileSource, SignatureStore } from "@docgate/mcp";
import { listProfiles, resolveQualityProfile } from "@docgate/orchestrator";
import type { SignatureWindow } from "./signature-window";
import { memoInTask, provideInTask, providedInTask } from "./task-scope";

/** How many recently assessed documents a near-duplicate look-up compares bit by bit (signature-window.ts). */
export const NEAR_DUPLICATE_WINDOW = 5_000;

const profileReadKey = (name: string | undefined) => `profile-read:${name ?? ""}`;

export function createProfileSource(db: Db): ProfileSource & {
  /** What the task's start statement read for this profile name (qualityProfileSql): the task's lookup starts from it. */
  provide(name: string | undefined, read: Promise<unknown>): void;
} {
  return {
    // Asked twice per task (its cache key, then the tool): one lookup serves both.
    getProfile: (name) => memoInTask(`profile:${name ?? ""}`, async () => resolveQualityProfile(db, name, await providedInTask(profileReadKey(name)))),
    provide: (name, read) => provideInTask(profileReadKey(name), read),
    async listProfiles() {
      return (await listProfiles(db)).map((p) => ({ name: p.name, version: p.version, description: p.description, isDefault: p.isDefault, rules: p.rules }));
    },
  };
}

/**
 * How long a look-up waits for its window to catch up with the other workers. Past it (Redis slow
 * or down) the window answers from what it holds: signatures other workers saved meanwhile are
 * missed, and the task neither waits for Redis nor fails.
 */
const CATCH_UP_WAIT_MS = 100;

/** What the save-and-look-up statement finds: null when the document was deleted meanwhile. */
type Found = { exactId: string | null; createdAtMs: number } | null;

/** The store, and the part of its work a quality task's start statement can do (TaskHandler.startWith). */
export type TaskSignatureStore = SignatureStore & {
  /**
   * The save and the exact look-up for this document's signature, for the task's start statement
   * (write, read); `provide` hands the read's value to the task's look-up, which then makes no
   * statement of its own. A look-up for another signature (the tool hashed other text) still does.
   */
  startWith(documentId: string, simhash: string): { write: SqlFragment; read: SqlFragment };
  provide(documentId: string, simhash: string, read: Promise<unknown>): void;
};

const foundKey = (documentId: string, simhash: string) => `signature:${documentId}:${simhash}`;

/**
 * Saves the signature, unless it is saved already. It commits without waiting for the disk: the
 * job's closing commit, which waits, normally follows it in the WAL and flushes it too. Should a
 * crash lose it anyway, the document lacks its signature (later exact look-ups miss it) until it
 * is assessed again.
 */
const saveSql = (documentId: string, simhash: string) => sql`
  UPDATE "Document" SET "simhash" = ${simhash}
  WHERE "id" = ${documentId} AND "simhash" IS DISTINCT FROM ${simhash}
  RETURNING 1`;

/** The earliest earlier document with exactly this signature (indexed, any age), and when this one was created. */
const findSql = (documentId: string, simhash: string) => sql`(
  SELECT json_build_object(
    'exactId', (SELECT d."id" FROM "Document" d
                WHERE d."simhash" = ${simhash} AND d."id" <> ${documentId} AND d."createdAt" <= self."createdAt"
                ORDER BY d."createdAt" ASC LIMIT 1),
    'createdAtMs', (extract(epoch FROM self."createdAt") * 1000)::float8)
  FROM "Document" self WHERE self."id" = ${documentId})`;

export function createSignatureStore(db: Db, window: SignatureWindow): TaskSignatureStore {
  const saveAndFind = async (documentId: string, simhash: string): Promise<Found> => {
    const [row] = await fastSql(db).query<{ found: Found }>(sql`
      WITH saved AS (${saveSql(documentId, simhash)})
      SELECT ${findSql(documentId, simhash)} AS "found"
      FROM (SELECT set_config('synchronous_commit', 'off', true)) AS quick_commit`);
    return row?.found ?? null;
  };
  return {
    startWith: (documentId, simhash) => ({ write: saveSql(documentId, simhash), read: findSql(documentId, simhash) }),
    provide: (documentId, simhash, read) => provideInTask(foundKey(documentId, simhash), read),
    async saveAndFindNear(documentId, simhash, maxDistance) {
      // The window catches up with the other workers while Postgres saves the signature and
      // looks for an exact match (or while the task's start statement does).
      const catchingUp = window.refresh().catch(() => {});
      const fromStart = await providedInTask<unknown>(foundKey(documentId, simhash));
      // undefined: no start statement did it (or the task did not start after all)
      const found = fromStart === undefined ? await saveAndFind(documentId, simhash) : (fromStart as Found);
      if (!found) return null;
      const self = { documentId, simhash, createdAtMs: Number(found.createdAtMs) };
      const near = found.exactId
        ? { documentId: found.exactId, distance: 0 }
        : maxDistance > 0 ? await nearestBySimhash(db, window, self, maxDistance, catchingUp) : null;
      // Only now: in the window beforehand, this document would widen what the window covers.
      window.append(self.documentId, self.simhash, self.createdAtMs);
      return near;
    },
  };
}

/** From the window once it has caught up (or waited long enough), else from Postgres when the window cannot answer. */
async function nearestBySimhash(
  db: Db,
  window: SignatureWindow,
  self: { documentId: string; simhash: string; createdAtMs: number },
  maxDistance: number,
  catchingUp: Promise<void>,
) {
  await Promise.race([catchingUp, new Promise((resolve) => setTimeout(resolve, CATCH_UP_WAIT_MS).unref())]);
  return window.covers(self.createdAtMs)
    ? window.nearest(self.documentId, self.simhash, self.createdAtMs, maxDistance)
    : nearestInPostgres(db, self.documentId, self.simhash, maxDistance);
}

/**
 * The nearest among the 5,000 most recently created documents before this one, scanned in
 * Postgres (~1.2 ms of its CPU): for look-ups the window cannot answer (not loaded yet, or a
 * document assessed again long after its upload). Reads "Document_recent_simhash_idx" alone
 * (migration document_simhash_bits).
 */
async function nearestInPostgres(db: Db, documentId: string, simhash: string, maxDistance: number) {
  const [best] = await fastSql(db).query<{ id: string; distance: number }>(sql`
    WITH recent AS (
      SELECT d."id", d."simhashBits" AS "bits", d."createdAt" FROM "Document" d
      WHERE d."simhashBits" IS NOT NULL AND d."id" <> ${documentId}
        AND d."createdAt" <= (SELECT "createdAt" FROM "Document" WHERE "id" = ${documentId})
      ORDER BY d."createdAt" DESC LIMIT ${NEAR_DUPLICATE_WINDOW}
    )
    SELECT "id", "distance" FROM (
      SELECT "id", bit_count(("bits" # ('x' || ${simhash}::text)::bit(64)::bigint)::bit(64))::int AS "distance", "createdAt" FROM recent
    ) AS scored
    WHERE "distance" <= ${maxDistance}
    ORDER BY "distance" ASC, "createdAt" DESC LIMIT 1`);
  return best ? { documentId: best.id, distance: Number(best.distance) } : null;
}
