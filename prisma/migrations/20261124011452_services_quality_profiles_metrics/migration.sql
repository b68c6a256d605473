-- AlterTable
ALTER TABLE "Service" ADD COLUMN     "autoscale" JSONB,
ADD COLUMN     "breakerOpenUntil" TIMESTAMP(3),
ADD COLUMN     "documentMapping" TEXT NOT NULL DEFAULT 'text',
ADD COLUMN     "rateLimitPerSecond" INTEGER,
ADD COLUMN     "status" TEXT NOT NULL DEFAULT 'unknown',
ADD COLUMN     "statusChangedAt" TIMESTAMP(3),
ADD COLUMN     "token" TEXT;

-- AlterTable
ALTER TABLE "Document" ADD COLUMN     "simhash" TEXT;

-- CreateTable
CREATE TABLE "QualityProfile" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT,
    "version" INTEGER NOT NULL DEFAULT 1,
    "rules" JSONB NOT NULL DEFAULT '{}',
    "isDefault" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "QualityProfile_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ToolCallMetric" (
    "id" BIGSERIAL NOT NULL,
    "service" TEXT NOT NULL,
    "tool" TEXT NOT NULL,
    "durationMs" INTEGER NOT NULL,
    "ok" BOOLEAN NOT NULL,
    "source" TEXT NOT NULL DEFAULT 'task',
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ToolCallMetric_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "QualityProfile_name_key" ON "QualityProfile"("name");

-- CreateIndex
CREATE INDEX "ToolCallMetric_service_at_idx" ON "ToolCallMetric"("service", "at");

-- CreateIndex
CREATE INDEX "Document_simhash_idx" ON "Document"("simhash");
