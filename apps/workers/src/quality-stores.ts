// Postgres-backed stores the quality MCP server takes from its host: validation profiles and
// the simhash signatures of stored documents (Document.simhash) for near-duplicate detection.
// Both run on every quality task, so their statements go straight to pg (fast-sql.ts).
import { fastSql, sql, type Db } from "@docgate/db";
import type { ProfileSource, SignatureStore } from "@docgate/mcp";
import { listProfiles, resolveQualityProfile } from "@docgate/orchestrator";
import { memoInTask, provideInTask, providedInTask } from "./task-scope";

/** How many recent earlier documents a near-duplicate lookup compares bit by bit. */
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

export function createSignatureStore(db: Db): SignatureStore {
  return {
    async saveAndFindNear(documentId, simhash, maxDistance) {
      // One statement: the save (its own CTE; the look-up leaves this document out anyway), the
      // exact match (indexed, any earlier document), else the nearest by Hamming distance among
      // the most recent earlier documents, read from "Document_recent_simhash_idx" alone
      // (migration document_simhash_bits). The save commits without waiting for the disk: the
      // job's closing commit, which waits, normally follows it in the WAL and flushes it too. Should
      // a crash lose it anyway, the document lacks its signature (later look-ups miss it as a
      // near-duplicate) until it is assessed again.
      const rows = await fastSql(db).query<{ id: string; distance: number }>(sql`
        WITH saved AS (
          UPDATE "Document" SET "simhash" = ${simhash}
          FROM (SELECT set_config('synchronous_commit', 'off', true)) AS quick_commit
          WHERE "id" = ${documentId} AND "simhash" IS DISTINCT FROM ${simhash}
          RETURNING 1
        ), self AS (
          SELECT "createdAt" FROM "Document" WHERE "id" = ${documentId}
        ), exact AS (
          SELECT d."id", 0 AS "distance" FROM "Document" d, self
          WHERE d."simhash" = ${simhash} AND d."id" <> ${documentId} AND d."createdAt" <= self."createdAt"
          ORDER BY d."createdAt" ASC LIMIT 1
        ), recent AS (
          SELECT d."id", d."simhashBits" AS "bits", d."createdAt" FROM "Document" d
          WHERE ${maxDistance} > 0 AND d."simhashBits" IS NOT NULL AND d."id" <> ${documentId}
            AND d."createdAt" <= (SELECT "createdAt" FROM self)
          ORDER BY d."createdAt" DESC LIMIT ${NEAR_DUPLICATE_WINDOW}
        ), near AS (
          SELECT "id", bit_count(("bits" # ('x' || ${simhash}::text)::bit(64)::bigint)::bit(64))::int AS "distance", "createdAt" FROM recent
          ORDER BY 2 ASC, "createdAt" DESC LIMIT 1
        )
        SELECT "id", "distance" FROM exact
        UNION ALL
        SELECT "id", "distance" FROM near WHERE "distance" <= ${maxDistance} AND NOT EXISTS (SELECT 1 FROM exact)`);
      const best = rows[0];
      return best ? { documentId: best.id, distance: Number(best.distance) } : null;
    },
  };
}
