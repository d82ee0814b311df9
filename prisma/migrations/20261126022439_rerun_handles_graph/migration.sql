-- AlterTable
ALTER TABLE "node_executions" ADD COLUMN     "handles" JSONB;

-- AlterTable
ALTER TABLE "runs" ADD COLUMN     "graph" JSONB;

-- CreateIndex
CREATE INDEX "runs_origin_run_id_idx" ON "runs"("origin_run_id");

