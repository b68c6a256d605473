// The stores the quality MCP server takes from its host: validation profiles (Postgres) and the
// simhash signatures of stored documents for near-duplicate detection (saved in Document.simhash,
// compared in the worker's SignatureWindow). Both run on every quality task, so their statements
// go straight to pg (fast-sql.ts).
import { fastSql, sql, type Db } from "@docgate/db";
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

export function createSignatureStore(db: Db, window: SignatureWindow): SignatureStore {
  return {
    async saveAndFindNear(documentId, simhash, maxDistance) {
      // The window catches up with the other workers while Postgres saves the signature and
      // looks for an exact match (indexed, any earlier document). The save commits without
      // waiting for the disk: the job's closing commit, which waits, normally follows it in the
      // WAL and flushes it too. Should a crash lose it anyway, the document lacks its signature
      // (later exact look-ups miss it) until it is assessed again.
      const catchingUp = window.refresh();
      catchingUp.catch(() => {}); // awaited below
      const [row] = await fastSql(db).query<{ exactId: string | null; createdAtMs: number | null }>(sql`
        WITH saved AS (
          UPDATE "Document" SET "simhash" = ${simhash}
          FROM (SELECT set_config('synchronous_commit', 'off', true)) AS quick_commit
          WHERE "id" = ${documentId} AND "simhash" IS DISTINCT FROM ${simhash}
          RETURNING 1
        ), self AS (
          SELECT "createdAt" FROM "Document" WHERE "id" = ${documentId}
        )
        SELECT (SELECT d."id" FROM "Document" d, self
                WHERE d."simhash" = ${simhash} AND d."id" <> ${documentId} AND d."createdAt" <= self."createdAt"
                ORDER BY d."createdAt" ASC LIMIT 1) AS "exactId",
               (SELECT (extract(epoch FROM "createdAt") * 1000)::float8 FROM self) AS "createdAtMs"`);
      await catchingUp;
      if (!row || row.createdAtMs === null) return null; // the document was deleted meanwhile
      const createdAtMs = Number(row.createdAtMs);
      const near = row.exactId
        ? { documentId: row.exactId, distance: 0 }
        : maxDistance > 0 ? window.nearest(documentId, simhash, createdAtMs, maxDistance) : null;
      window.append(documentId, simhash, createdAtMs);
      return near;
    },
  };
}
