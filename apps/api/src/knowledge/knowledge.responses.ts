import { z } from 'zod';
import { CHUNKING_STRATEGIES, DOCUMENT_FORMATS, DOCUMENT_STATUSES, INDEXING_MODES, JOB_STATUSES } from '@weft/domain';
import { timestamp } from '../http/dto-fields';
import { paginationSchema } from '../http/envelope';

/*
 * The knowledge, document and ingestion-job DTOs (knowledge.dto.ts maps rows to them, typed by
 * these schemas, so the mapper and the document cannot disagree).
 */

const documentError = z
  .object({ code: z.string().meta({ description: 'document_unreadable, document_empty, document_unsupported, document_too_large, embedding_failed, …' }), message: z.string() })
  .meta({ description: 'Why the document failed, in plain words' });

export const knowledgeSchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  indexing: z.enum(INDEXING_MODES),
  embedding: z
    .object({ provider: z.string(), model: z.string(), dimensions: z.number().int().optional() })
    .nullable()
    .meta({ description: 'high-quality only: the model provider (by name) and the model' }),
  chunking: z.object({ strategy: z.enum(CHUNKING_STRATEGIES), size: z.number().int(), overlap: z.number().int(), childSize: z.number().int().optional() }),
  documents: z
    .object({ total: z.number().int().min(0), completed: z.number().int().min(0), error: z.number().int().min(0), inProgress: z.number().int().min(0) })
    .meta({ description: 'documents by status: inProgress is queued or being indexed' }),
  createdAt: timestamp,
  updatedAt: timestamp,
});
export type KnowledgeDto = z.infer<typeof knowledgeSchema>;

export const documentSchema = z.object({
  id: z.string(),
  knowledgeId: z.string(),
  name: z.string(),
  source: z.string().meta({ description: 'upload (multipart), text (JSON body) or cli' }),
  format: z.enum(DOCUMENT_FORMATS),
  size: z.number().int().min(0).meta({ description: 'bytes' }),
  checksum: z.string().meta({ description: 'sha256 of the bytes, hex: a re-upload of the same bytes is a no-op' }),
  status: z.enum(DOCUMENT_STATUSES),
  error: documentError.nullable(),
  segmentCount: z.number().int().min(0),
  tokenCount: z.number().int().min(0),
  jobId: z.string().nullable().meta({ description: 'the ingestion job that last took the document in hand' }),
  createdAt: timestamp,
  updatedAt: timestamp,
  indexedAt: timestamp.nullable(),
});
export type DocumentDto = z.infer<typeof documentSchema>;

const jobDocumentSchema = z.object({ id: z.string(), name: z.string(), status: z.enum(DOCUMENT_STATUSES), error: documentError.nullable() });

export const ingestionJobSchema = z.object({
  id: z.string(),
  knowledgeId: z.string(),
  status: z.enum(JOB_STATUSES),
  attempt: z.number().int().min(1).meta({ description: 'starts of the job: a retry of its failed documents is the next attempt' }),
  total: z.number().int().min(0),
  succeeded: z.number().int().min(0),
  failed: z.number().int().min(0),
  progress: z.number().int().min(0).max(100).meta({ description: 'percent of the documents that have ended (indexed or failed)' }),
  createdAt: timestamp,
  startedAt: timestamp.nullable(),
  finishedAt: timestamp.nullable(),
  documents: z.array(jobDocumentSchema).meta({ description: "a page of the job's documents (?page, ?limit: all of them by default)" }),
  documentsPage: paginationSchema,
});
export type IngestionJobDto = z.infer<typeof ingestionJobSchema>;

/** A job in a list: its counts, without its documents. */
export const ingestionJobSummarySchema = ingestionJobSchema.omit({ documents: true, documentsPage: true });
export type IngestionJobSummaryDto = z.infer<typeof ingestionJobSummarySchema>;

export const uploadResultSchema = z.object({
  jobId: z.string().nullable().meta({ description: 'the job indexing the new documents; null when every document was there already' }),
  documents: z.array(z.object({ id: z.string(), name: z.string(), status: z.enum(DOCUMENT_STATUSES) })).meta({ description: 'the documents stored by this upload, queued in the job' }),
  skipped: z
    .array(z.object({ name: z.string(), documentId: z.string(), status: z.enum(DOCUMENT_STATUSES), reason: z.literal('duplicate') }))
    .meta({ description: 'documents whose bytes the knowledge holds already (same sha256): nothing was stored or indexed; documentId is the existing one' }),
});
export type UploadResultDto = z.infer<typeof uploadResultSchema>;

/** Data of the events of GET /v1/ingestion-jobs/:id/events. */
export const jobEventDataSchema = z.looseObject({}).meta({
  description: [
    'The JSON data of one event; by `event:` type:',
    'job.started {jobId, attempt, total};',
    'document.status {documentId, name, status, error?: {code, message}};',
    'job.progress {total, succeeded, failed, progress};',
    'job.finished {jobId, status, total, succeeded, failed, progress} — the stream ends after it;',
    'ping {at} every WEFT_SSE_PING_MS (no id).',
  ].join(' '),
});
