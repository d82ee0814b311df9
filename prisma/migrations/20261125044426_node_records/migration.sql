-- CreateTable
CREATE TABLE "node_executions" (
    "id" TEXT NOT NULL,
    "tenant_id" TEXT NOT NULL,
    "run_id" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "seq" INTEGER NOT NULL,
    "node_id" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "iteration_index" INTEGER,
    "loop_index" INTEGER,
    "inputs" JSONB,
    "outputs" JSONB,
    "error" JSONB,
    "started_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "node_executions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "node_attempts" (
    "id" TEXT NOT NULL,
    "tenant_id" TEXT NOT NULL,
    "run_id" TEXT NOT NULL,
    "node_key" TEXT NOT NULL,
    "attempt" INTEGER NOT NULL,
    "status" TEXT NOT NULL,
    "error" JSONB,
    "started_at" TIMESTAMPTZ(3) NOT NULL,
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "node_attempts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "run_blobs" (
    "id" TEXT NOT NULL,
    "tenant_id" TEXT NOT NULL,
    "run_id" TEXT NOT NULL,
    "size" INTEGER NOT NULL,
    "value" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "run_blobs_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "node_executions_tenant_id_run_id_seq_idx" ON "node_executions"("tenant_id", "run_id", "seq");

-- CreateIndex
CREATE UNIQUE INDEX "node_executions_run_id_key_key" ON "node_executions"("run_id", "key");

-- CreateIndex
CREATE INDEX "node_attempts_tenant_id_run_id_idx" ON "node_attempts"("tenant_id", "run_id");

-- CreateIndex
CREATE UNIQUE INDEX "node_attempts_run_id_node_key_attempt_key" ON "node_attempts"("run_id", "node_key", "attempt");

-- CreateIndex
CREATE INDEX "run_blobs_tenant_id_run_id_idx" ON "run_blobs"("tenant_id", "run_id");

-- AddForeignKey
ALTER TABLE "node_executions" ADD CONSTRAINT "node_executions_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "runs"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "node_attempts" ADD CONSTRAINT "node_attempts_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "runs"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "run_blobs" ADD CONSTRAINT "run_blobs_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "runs"("id") ON DELETE CASCADE ON UPDATE CASCADE;

