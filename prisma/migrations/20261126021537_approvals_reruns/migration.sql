-- AlterTable
ALTER TABLE "runs" ADD COLUMN     "origin_run_id" TEXT,
ADD COLUMN     "rerun_from_node_id" TEXT;

-- CreateTable
CREATE TABLE "approvals" (
    "id" TEXT NOT NULL,
    "tenant_id" TEXT NOT NULL,
    "run_id" TEXT NOT NULL,
    "workflow_id" TEXT NOT NULL,
    "node_id" TEXT NOT NULL,
    "node_key" TEXT NOT NULL,
    "iteration_index" INTEGER,
    "loop_index" INTEGER,
    "prompt" TEXT NOT NULL,
    "fields" JSONB NOT NULL,
    "actions" JSONB NOT NULL,
    "allowed_roles" JSONB,
    "notify" JSONB,
    "status" TEXT NOT NULL,
    "requested_at" TIMESTAMPTZ(3) NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "decided_at" TIMESTAMPTZ(3),
    "action" TEXT,
    "values" JSONB,
    "actor" JSONB,
    "comment" TEXT,
    "delivery" JSONB,

    CONSTRAINT "approvals_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "approvals_tenant_id_status_requested_at_idx" ON "approvals"("tenant_id", "status", "requested_at");

-- CreateIndex
CREATE INDEX "approvals_tenant_id_run_id_idx" ON "approvals"("tenant_id", "run_id");

-- CreateIndex
CREATE UNIQUE INDEX "approvals_run_id_node_key_key" ON "approvals"("run_id", "node_key");

-- AddForeignKey
ALTER TABLE "approvals" ADD CONSTRAINT "approvals_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "approvals" ADD CONSTRAINT "approvals_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "runs"("id") ON DELETE CASCADE ON UPDATE CASCADE;

