import type { IndexingMode, JobStatus } from './knowledge.contract';

/**
 * What the ingestion workflows (packages/workflows/src/ingestion) and their activities
 * (packages/activities/src/knowledge/ingestion.activities.ts) hand each other. Only ids and
 * counts cross Temporal: texts, bytes and vectors stay in PostgreSQL and the vector store, and
 * each activity reads what it needs, so a 1,000-document job's history stays small.
 */

/** One document of one attempt of a job. `attemptKey` is the job workflow's id (one per attempt): events are published once per attempt. */
export interface DocumentStep {
  jobId: string;
  tenantId: string;
  knowledgeId: string;
  documentId: string;
  attemptKey: string;
}

export type IngestDocumentInput = DocumentStep;

/** How a document's child workflow ended. `gone`: the document (or its knowledge) was deleted while it was being indexed. */
export type DocumentOutcome =
  | { documentId: string; status: 'completed'; segmentCount: number; tokenCount: number }
  | { documentId: string; status: 'error'; code: string; message: string }
  | { documentId: string; status: 'gone' };

/**
 * After indexDocument: a document of at most INGESTION_SEGMENTS_PER_ACTIVITY segments is indexed
 * and completed already (or was deleted meanwhile); a longer one is only prepared (its segments are
 * in PostgreSQL) and the workflow embeds and indexes it range by range.
 */
export type IndexedDocument =
  | Extract<DocumentOutcome, { status: 'completed' | 'gone' }>
  | { documentId: string; status: 'prepared'; segmentCount: number; indexing: IndexingMode };

export interface IngestionCounts {
  total: number;
  succeeded: number;
  failed: number;
}

/** The job workflow's result: the job's counts (all its documents, from PostgreSQL) and its end status. */
export interface IngestionJobResult extends IngestionCounts {
  status: JobStatus;
}

/** Activities of the ingestion task queue. */
export interface IngestionActivities {
  /** Marks the job running (first start of an attempt), its documents queued, and publishes job.started. */
  ingestionJobStarted(input: { jobId: string; tenantId: string; attemptKey: string; documentIds: string[] }): Promise<void>;
  /**
   * Ends the job: completed, completed-with-errors (a document in error), or cancelled (its
   * documents not indexed yet become error `ingestion_cancelled`); publishes job.finished.
   */
  ingestionJobFinished(input: { jobId: string; tenantId: string; attemptKey: string; cancelled: boolean }): Promise<IngestionJobResult>;
  /**
   * Parse, clean and split (status parsing → splitting): replaces the document's segments in
   * PostgreSQL. A document of one range at most (nearly all) then goes on in the same activity:
   * embedded, indexed and completed, as embedSegments, indexSegments and documentIndexed would —
   * one activity instead of four, which is most of what Temporal costs per document.
   */
  indexDocument(input: DocumentStep): Promise<IndexedDocument>;
  /** Embeds segments [from, to) in requests of KNOWLEDGE_LIMITS.embeddingBatchSize (status embedding); vectors land in the embedding cache. */
  embedSegments(input: DocumentStep & { from: number; to: number }): Promise<void>;
  /** Upserts segments [from, to) into the vector store by their deterministic ids (status indexing). */
  indexSegments(input: DocumentStep & { from: number; to: number }): Promise<void>;
  /** Removes vectors of positions the new split no longer has and marks the document completed. */
  documentIndexed(input: DocumentStep): Promise<DocumentOutcome>;
  /** Marks the document error with the code and message, and removes its segments and vectors. */
  documentFailed(input: DocumentStep & { code: string; message: string }): Promise<void>;
}

/** Segments one embedSegments/indexSegments activity takes (several embedding requests, one heartbeat each). */
export const INGESTION_SEGMENTS_PER_ACTIVITY = 512;

/** The vector store's primary key of a segment: the same document and position always give the same id, so a retried batch replaces what it wrote. */
export function segmentIdFor(documentId: string, position: number): string {
  return `${documentId}-${position}`;
}
