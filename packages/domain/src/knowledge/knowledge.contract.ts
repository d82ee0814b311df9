import { z } from 'zod';

/**
 * Knowledge bases, documents, ingestion jobs and retrieval (issue 10): the settings a user gives,
 * the statuses they watch, and the names the API, the worker and the workflows share.
 */

export const INDEXING_MODES = ['high-quality', 'economy'] as const;
export type IndexingMode = (typeof INDEXING_MODES)[number];

export const CHUNKING_STRATEGIES = ['fixed', 'paragraph', 'markdown', 'parent-child'] as const;
export type ChunkingStrategy = (typeof CHUNKING_STRATEGIES)[number];

/** Sizes are in characters. `childSize` is the indexed piece of the parent-child strategy (its parents are `size`). */
export const chunkingSchema = z
  .object({
    strategy: z.enum(CHUNKING_STRATEGIES).default('fixed'),
    size: z.number().int().min(50).max(8000).default(1000),
    overlap: z.number().int().min(0).max(2000).default(100),
    childSize: z.number().int().min(20).max(4000).optional(),
  })
  .strict()
  .refine((c) => c.overlap < c.size, { message: 'overlap must be smaller than size', path: ['overlap'] })
  .refine((c) => c.childSize === undefined || c.childSize < c.size, { message: 'childSize must be smaller than size', path: ['childSize'] });
export type ChunkingSettings = z.infer<typeof chunkingSchema>;

/** `provider` names one of the tenant's model providers (the first one when omitted). */
export const embeddingSettingsSchema = z
  .object({
    provider: z.string().min(1).max(100).optional(),
    model: z.string().min(1).max(200),
    dimensions: z.number().int().min(2).max(4096).optional(),
  })
  .strict();
export type EmbeddingSettings = z.infer<typeof embeddingSettingsSchema>;

/** C0 and C1 control characters (escape, carriage return, tab…), DEL included. */
const hasControlCharacter = (text: string) => [...text].some((c) => c <= '\u001f' || (c >= '\u007f' && c <= '\u009f'));

export const createKnowledgeSchema = z
  .object({
    // Shown as it is by `npm run ingest` on a terminal: no escape sequence or carriage return may ride in it.
    name: z
      .string()
      .trim()
      .min(1)
      .max(200)
      .refine((name) => !hasControlCharacter(name), { message: 'a knowledge name has no control characters' }),
    description: z.string().max(2000).optional(),
    indexing: z.enum(INDEXING_MODES).default('economy'),
    embedding: embeddingSettingsSchema.optional(),
    chunking: chunkingSchema.default({ strategy: 'fixed', size: 1000, overlap: 100 }),
  })
  .strict()
  .refine((k) => k.indexing !== 'high-quality' || k.embedding !== undefined, { message: 'high-quality indexing needs embedding {model}', path: ['embedding'] })
  .refine((k) => k.indexing !== 'economy' || k.embedding === undefined, { message: 'economy indexing uses no embedding model', path: ['embedding'] });
export type CreateKnowledgeRequest = z.infer<typeof createKnowledgeSchema>;

export const DOCUMENT_STATUSES = ['queued', 'parsing', 'splitting', 'embedding', 'indexing', 'completed', 'error'] as const;
export type DocumentStatus = (typeof DOCUMENT_STATUSES)[number];
export const DOCUMENT_FORMATS = ['txt', 'md', 'html', 'json', 'csv', 'pdf', 'docx'] as const;
export type DocumentFormat = (typeof DOCUMENT_FORMATS)[number];

export const JOB_STATUSES = ['queued', 'running', 'completed', 'completed-with-errors', 'cancelled'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

/** Bounds of what an upload may hold (the API refuses more with 413/422 before anything is stored). */
export const KNOWLEDGE_LIMITS = {
  maxDocumentBytes: 15 * 1024 * 1024,
  maxDocumentsPerUpload: 1000,
  maxUploadBytes: 100 * 1024 * 1024,
  /** segments one document may produce; more fails the document with document_too_large */
  maxSegmentsPerDocument: 20_000,
  /** texts per embedding request */
  embeddingBatchSize: 64,
} as const;

export const RETRIEVAL_MODES = ['dense', 'full-text', 'hybrid'] as const;
export type RetrievalMode = (typeof RETRIEVAL_MODES)[number];

/** What the API's retrieve route and the knowledge-retrieval node both accept (the node adds knowledgeIds). */
export const retrievalOptionsSchema = z
  .object({
    query: z.string().min(1).max(10_000),
    topK: z.number().int().min(1).max(100).default(4),
    scoreThreshold: z.number().min(0).max(1).optional(),
    /** hybrid by default for high-quality knowledge; an economy knowledge answers full-text whatever is asked */
    mode: z.enum(RETRIEVAL_MODES).optional(),
  })
  .strict();
export type RetrievalOptions = z.infer<typeof retrievalOptionsSchema>;

/** One result, as the retrieve route and the node's `results` output give it. Scores are 0..1, higher is closer. */
export interface RetrievalResult {
  content: string;
  score: number;
  knowledgeId: string;
  documentId: string;
  segmentId: string;
  metadata: { documentName: string; position: number; [key: string]: unknown };
}

// Temporal names shared by the API (which starts jobs) and the worker (which runs them).
export const INGESTION_JOB_WORKFLOW_TYPE = 'ingestionJobWorkflow';
export const INGEST_DOCUMENT_WORKFLOW_TYPE = 'ingestDocumentWorkflow';
/** The workflow id of a job's attempt; a retry is attempt 2, 3… of the same job. */
export function ingestionWorkflowIdFor(jobId: string, attempt: number): string {
  return `weft-ingest-${jobId}-${attempt}`;
}

/** The attempt a job's workflow id names (ingestionWorkflowIdFor read back); undefined for another id. */
export function attemptOfIngestionWorkflow(jobId: string, workflowId: string): number | undefined {
  const prefix = `weft-ingest-${jobId}-`;
  const attempt = workflowId.startsWith(prefix) ? Number(workflowId.slice(prefix.length)) : NaN;
  return Number.isSafeInteger(attempt) && attempt >= 1 ? attempt : undefined;
}

export interface IngestionJobInput {
  jobId: string;
  tenantId: string;
  knowledgeId: string;
  /** the documents this attempt indexes (all of an upload; the failed ones on a retry) */
  documentIds: string[];
  /** documents indexed at once (child workflows in flight) */
  concurrency: number;
}

/**
 * Events of a job on its event stream (RunEventStream with the job id as the stream id), read by
 * GET /v1/ingestion-jobs/:id/events: `job.started`, `document.status` ({documentId, name, status,
 * error?}), `job.progress` ({total, succeeded, failed, progress}), `job.finished` ({status, ...counts}).
 * job.started and job.finished carry the `attempt`: a retried job's stream holds every attempt's
 * events, and a reader of attempt N stops at attempt N's job.finished.
 */
export const INGESTION_EVENT_TYPES = ['job.started', 'document.status', 'job.progress', 'job.finished'] as const;
export type IngestionEventType = (typeof INGESTION_EVENT_TYPES)[number];
