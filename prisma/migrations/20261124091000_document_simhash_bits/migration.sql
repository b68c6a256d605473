-- Near-duplicate look-ups compare a document's simhash with the most recent earlier documents'
-- (apps/workers/src/quality-stores.ts). They parsed every candidate's hex text and, with no index
-- on "createdAt", sorted the whole table to find the recent ones: ~6 ms of Postgres CPU per
-- quality task at 20,000 documents, growing with the table. Now the 64 bits are kept as a bigint
-- (computed by Postgres from "simhash", so writers are unchanged) in an index ordered by
-- "createdAt" that holds everything the look-up reads: ~1.4 ms, bounded by the window.
-- Not in schema.prisma on purpose: Prisma would return it as a BigInt from every plain
-- `document.find*`, which JSON cannot carry; only the look-up's SQL reads it.
ALTER TABLE "Document" ADD COLUMN "simhashBits" bigint
  GENERATED ALWAYS AS (('x' || "simhash")::bit(64)::bigint) STORED;

CREATE INDEX "Document_recent_simhash_idx" ON "Document" ("createdAt") INCLUDE ("simhashBits", "id")
  WHERE "simhashBits" IS NOT NULL;
