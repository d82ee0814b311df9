-- AlterTable
ALTER TABLE "runs" ADD COLUMN     "idempotency_fingerprint" TEXT;

