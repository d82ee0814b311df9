import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '@prisma/client';

export { Prisma, PrismaClient } from '@prisma/client';
export type { ApiKey, AuditEntry, IngestionJob, Knowledge, KnowledgeDocument, Run, Tenant, Workflow, WorkflowVersion } from '@prisma/client';

/** Prisma over the pg driver adapter: the JS query compiler, no engine binary. */
export function createPrismaClient(databaseUrl: string, poolSize = 10): PrismaClient {
  return new PrismaClient({ adapter: new PrismaPg({ connectionString: databaseUrl, max: poolSize }) });
}
