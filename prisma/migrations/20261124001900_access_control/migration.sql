-- AlterTable
ALTER TABLE "ApiKey" ADD COLUMN     "dailyDocumentQuota" INTEGER,
ADD COLUMN     "maxConcurrentJobs" INTEGER,
ADD COLUMN     "previousExpiresAt" TIMESTAMP(3),
ADD COLUMN     "previousHash" TEXT,
ADD COLUMN     "rolledAt" TIMESTAMP(3),
ADD COLUMN     "signingSecret" TEXT;

-- CreateIndex
CREATE UNIQUE INDEX "ApiKey_previousHash_key" ON "ApiKey"("previousHash");

-- CreateIndex
CREATE INDEX "Job_apiKeyId_createdAt_idx" ON "Job"("apiKeyId", "createdAt");

-- CreateIndex
CREATE INDEX "AuditLog_at_idx" ON "AuditLog"("at");

-- CreateIndex
CREATE INDEX "AuditLog_actorId_at_idx" ON "AuditLog"("actorId", "at");

-- CreateIndex
CREATE INDEX "AuditLog_target_at_idx" ON "AuditLog"("target", "at");
