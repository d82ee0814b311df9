import { createHash, randomUUID } from 'node:crypto';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { SecretCipher, type PrismaClient } from '@weft/activities';
import {
  INGESTION_JOB_WORKFLOW_TYPE,
  ingestionWorkflowIdFor,
  type ChunkingSettings,
  type DocumentFormat,
  type EmbeddingSettings,
  type IndexingMode,
  type IngestionJobInput,
  type IngestionJobResult,
} from '@weft/domain';
import { testEnv } from './test-env';

/**
 * Rows an upload would have created (the API's knowledge routes write the same), so ingestion
 * suites can start job workflows with the Temporal client directly.
 */
const id = (prefix: string) => `${prefix}_${randomUUID().replace(/-/g, '')}`;

export async function createTenant(prisma: PrismaClient, provider?: { url: string; apiKey: string }): Promise<string> {
  const tenantId = id('ten');
  await prisma.tenant.create({ data: { id: tenantId, name: tenantId } });
  if (provider) {
    const cipher = new SecretCipher(testEnv.encryptionKey);
    await prisma.modelProvider.create({ data: { id: id('mp'), tenantId, name: 'local', type: 'openai', baseUrl: provider.url, apiKeyEncrypted: cipher.encrypt(provider.apiKey) } });
  }
  return tenantId;
}

export async function createKnowledge(
  prisma: PrismaClient,
  tenantId: string,
  settings: { indexing: IndexingMode; embedding?: EmbeddingSettings; chunking?: Partial<ChunkingSettings> },
): Promise<string> {
  const knowledgeId = id('kn');
  await prisma.knowledge.create({
    data: {
      id: knowledgeId,
      tenantId,
      name: knowledgeId,
      indexing: settings.indexing,
      ...(settings.embedding ? { embedding: settings.embedding } : {}),
      chunking: { strategy: 'fixed', size: 200, overlap: 20, ...settings.chunking },
    },
  });
  return knowledgeId;
}

export interface DocumentSpec {
  name: string;
  format: DocumentFormat;
  content: Buffer | string;
}

export async function addDocuments(prisma: PrismaClient, tenantId: string, knowledgeId: string, docs: DocumentSpec[]): Promise<string[]> {
  const rows = docs.map((d) => {
    const content = new Uint8Array(typeof d.content === 'string' ? Buffer.from(d.content, 'utf8') : d.content);
    return {
      id: id('doc'),
      tenantId,
      knowledgeId,
      name: d.name,
      source: 'text',
      format: d.format,
      size: content.byteLength,
      checksum: createHash('sha256').update(content).digest('hex'),
      content,
      status: 'queued',
    };
  });
  await prisma.knowledgeDocument.createMany({ data: rows });
  return rows.map((r) => r.id);
}

/** Replaces a document's bytes (a user fixing a corrupt file before a retry). */
export async function replaceContent(prisma: PrismaClient, documentId: string, content: string): Promise<void> {
  const bytes = new Uint8Array(Buffer.from(content, 'utf8'));
  await prisma.knowledgeDocument.update({ where: { id: documentId }, data: { content: bytes, size: bytes.byteLength, checksum: createHash('sha256').update(bytes).digest('hex') } });
}

export interface JobRef {
  jobId: string;
  tenantId: string;
  knowledgeId: string;
}

export async function createJob(prisma: PrismaClient, tenantId: string, knowledgeId: string, documentIds: string[]): Promise<JobRef> {
  const jobId = id('job');
  await prisma.ingestionJob.create({
    data: { id: jobId, tenantId, knowledgeId, status: 'queued', temporalWorkflowId: ingestionWorkflowIdFor(jobId, 1), documents: { createMany: { data: documentIds.map((documentId) => ({ documentId })) } } },
  });
  return { jobId, tenantId, knowledgeId };
}

/** Starts an attempt of a job on the ingestion task queue, as the API's upload and retry routes do. */
export async function startJob(
  temporal: Client,
  taskQueue: string,
  job: JobRef,
  documentIds: string[],
  options: { attempt?: number; concurrency?: number } = {},
): Promise<WorkflowHandle<(input: IngestionJobInput) => Promise<IngestionJobResult>>> {
  const input: IngestionJobInput = { ...job, documentIds, concurrency: options.concurrency ?? 4 };
  return temporal.workflow.start<(input: IngestionJobInput) => Promise<IngestionJobResult>>(INGESTION_JOB_WORKFLOW_TYPE, {
    taskQueue,
    workflowId: ingestionWorkflowIdFor(job.jobId, options.attempt ?? 1),
    args: [input],
  });
}

/** Each document's status (and error code), by id. */
export async function documentStates(prisma: PrismaClient, documentIds: string[]) {
  const rows = await prisma.knowledgeDocument.findMany({
    where: { id: { in: documentIds } },
    select: { id: true, name: true, status: true, errorCode: true, errorMessage: true, segmentCount: true, tokenCount: true },
  });
  return new Map(rows.map((r) => [r.id, r]));
}

/** The runs of a job attempt's continue-as-new chain, first to last, with their history lengths (walked through histories: visibility may lag). */
export async function jobRuns(temporal: Client, workflowId: string): Promise<{ runId: string; events: number }[]> {
  const runs: { runId: string; events: number }[] = [];
  for (let runId: string | undefined = (await temporal.workflow.getHandle(workflowId).describe()).runId; runId; ) {
    const history = await temporal.workflow.getHandle(workflowId, runId).fetchHistory();
    runs.unshift({ runId, events: history.events!.length });
    runId = history.events![0]!.workflowExecutionStartedEventAttributes!.continuedExecutionRunId || undefined;
  }
  return runs;
}
