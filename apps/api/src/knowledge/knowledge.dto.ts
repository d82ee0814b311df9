import { progressOf, type IngestionJob, type Knowledge, type KnowledgeDocument } from '@weft/activities';
import type { ChunkingSettings, DocumentFormat, DocumentStatus, EmbeddingSettings, IndexingMode, IngestionCounts, JobStatus } from '@weft/domain';
import type { Pagination } from '../http/envelope';
import type { DocumentDto, IngestionJobDto, IngestionJobSummaryDto, KnowledgeDto } from './knowledge.responses';

export interface DocumentCounts {
  total: number;
  completed: number;
  error: number;
  inProgress: number;
}

export const NO_DOCUMENTS: DocumentCounts = { total: 0, completed: 0, error: 0, inProgress: 0 };

/** Counts by document status (from a groupBy on status) as the DTOs show them. */
export function countsOf(byStatus: readonly { status: string; count: number }[]): DocumentCounts {
  const counts = { ...NO_DOCUMENTS };
  for (const { status, count } of byStatus) {
    counts.total += count;
    if (status === 'completed') counts.completed += count;
    else if (status === 'error') counts.error += count;
    else counts.inProgress += count;
  }
  return counts;
}

export function knowledgeDto(k: Knowledge, documents: DocumentCounts): KnowledgeDto {
  const embedding = k.embedding as (EmbeddingSettings & { provider: string }) | null;
  return {
    id: k.id,
    name: k.name,
    description: k.description,
    indexing: k.indexing as IndexingMode,
    embedding: embedding ? { provider: embedding.provider, model: embedding.model, ...(embedding.dimensions !== undefined ? { dimensions: embedding.dimensions } : {}) } : null,
    chunking: k.chunking as ChunkingSettings,
    documents,
    createdAt: k.createdAt.toISOString(),
    updatedAt: k.updatedAt.toISOString(),
  };
}

const errorOf = (d: { errorCode: string | null; errorMessage: string | null }) => (d.errorCode ? { code: d.errorCode, message: d.errorMessage ?? d.errorCode } : null);

/** A document's row without its bytes (lists and reads never load the content). */
export type DocumentRow = Omit<KnowledgeDocument, 'content'>;

/** The columns of a document but its content. */
export const DOCUMENT_COLUMNS = {
  id: true,
  tenantId: true,
  knowledgeId: true,
  name: true,
  source: true,
  format: true,
  size: true,
  checksum: true,
  status: true,
  errorCode: true,
  errorMessage: true,
  segmentCount: true,
  tokenCount: true,
  jobId: true,
  createdAt: true,
  updatedAt: true,
  indexedAt: true,
} as const;

export function documentDto(d: DocumentRow): DocumentDto {
  return {
    id: d.id,
    knowledgeId: d.knowledgeId,
    name: d.name,
    source: d.source,
    format: d.format as DocumentFormat,
    size: d.size,
    checksum: d.checksum,
    status: d.status as DocumentStatus,
    error: errorOf(d),
    segmentCount: d.segmentCount,
    tokenCount: d.tokenCount,
    jobId: d.jobId,
    createdAt: d.createdAt.toISOString(),
    updatedAt: d.updatedAt.toISOString(),
    indexedAt: d.indexedAt?.toISOString() ?? null,
  };
}

export function jobSummaryDto(j: IngestionJob, counts: IngestionCounts): IngestionJobSummaryDto {
  return {
    id: j.id,
    knowledgeId: j.knowledgeId,
    status: j.status as JobStatus,
    attempt: j.attempt,
    total: counts.total,
    succeeded: counts.succeeded,
    failed: counts.failed,
    progress: progressOf(counts),
    createdAt: j.createdAt.toISOString(),
    startedAt: j.startedAt?.toISOString() ?? null,
    finishedAt: j.finishedAt?.toISOString() ?? null,
  };
}

export function jobDto(
  j: IngestionJob,
  counts: IngestionCounts,
  documents: readonly Pick<KnowledgeDocument, 'id' | 'name' | 'status' | 'errorCode' | 'errorMessage'>[],
  documentsPage: Pagination,
): IngestionJobDto {
  return {
    ...jobSummaryDto(j, counts),
    documents: documents.map((d) => ({ id: d.id, name: d.name, status: d.status as DocumentStatus, error: errorOf(d) })),
    documentsPage,
  };
}
