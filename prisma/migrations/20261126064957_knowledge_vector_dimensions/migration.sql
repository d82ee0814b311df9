-- AlterTable
ALTER TABLE "knowledge_bases" ADD COLUMN     "vector_dimensions" INTEGER;

