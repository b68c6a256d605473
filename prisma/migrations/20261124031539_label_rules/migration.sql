-- AlterTable
ALTER TABLE "Taxonomy" ADD COLUMN     "rulesVersion" INTEGER NOT NULL DEFAULT 0;

-- CreateTable
CREATE TABLE "LabelRule" (
    "id" TEXT NOT NULL,
    "taxonomyId" TEXT NOT NULL,
    "label" TEXT NOT NULL,
    "match" TEXT NOT NULL,
    "pattern" TEXT NOT NULL,
    "caseInsensitive" BOOLEAN NOT NULL DEFAULT true,
    "position" INTEGER NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "LabelRule_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "LabelRule_taxonomyId_position_idx" ON "LabelRule"("taxonomyId", "position");

-- AddForeignKey
ALTER TABLE "LabelRule" ADD CONSTRAINT "LabelRule_taxonomyId_fkey" FOREIGN KEY ("taxonomyId") REFERENCES "Taxonomy"("id") ON DELETE CASCADE ON UPDATE CASCADE;
