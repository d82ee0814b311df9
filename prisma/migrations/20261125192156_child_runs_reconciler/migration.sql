-- AlterTable
ALTER TABLE "runs" ADD COLUMN     "checked_at" TIMESTAMPTZ(3),
ADD COLUMN     "parent_iteration_index" INTEGER,
ADD COLUMN     "parent_loop_index" INTEGER,
ADD COLUMN     "parent_node_id" TEXT,
ADD COLUMN     "parent_node_key" TEXT,
ADD COLUMN     "parent_run_id" TEXT;

-- CreateIndex
CREATE INDEX "runs_parent_run_id_idx" ON "runs"("parent_run_id");

-- CreateIndex
CREATE INDEX "runs_status_checked_at_idx" ON "runs"("status", "checked_at");

-- AddForeignKey
ALTER TABLE "runs" ADD CONSTRAINT "runs_parent_run_id_fkey" FOREIGN KEY ("parent_run_id") REFERENCES "runs"("id") ON DELETE CASCADE ON UPDATE CASCADE;

