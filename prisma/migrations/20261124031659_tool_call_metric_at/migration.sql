-- CreateIndex
CREATE INDEX "ToolCallMetric_at_idx" ON "ToolCallMetric"("at");
