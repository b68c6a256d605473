-- Every upload counts the unfinished jobs of its API key (maxConcurrentJobs): a partial index
-- keeps that proportional to the open jobs of the key, not to all of its jobs ever.
-- The Prisma schema cannot express a partial index, so schema.snapshot.prisma does not change.
CREATE INDEX "Job_active_by_key" ON "Job" ("apiKeyId") WHERE "status" IN ('queued', 'running');
