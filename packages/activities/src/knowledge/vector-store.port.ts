import type { RetrievalMode } from '@weft/domain';

/**
 * The vector store as ingestion and retrieval see it (docs/adr/0010 has the Milvus design). Every
 * call names the tenant and the knowledge: an adapter must never return or touch another tenant's
 * or knowledge's vectors, whatever the ids say. Adapters throw NodeFailure('vector_store_unavailable')
 * when the store cannot be reached, so callers never see a vendor's error classes.
 */
export interface KnowledgeRef {
  tenantId: string;
  knowledgeId: string;
  /** dimensions of the dense vectors (high-quality), null for economy (BM25 only) */
  dimensions: number | null;
}

export interface VectorRecord {
  /** the segment id: the primary key, so writing the same record twice leaves one */
  id: string;
  documentId: string;
  /** the text BM25 matches */
  text: string;
  /** the dense embedding (high-quality knowledge only) */
  dense?: number[];
}

export interface VectorSearchRequest {
  mode: RetrievalMode;
  /** the query text (full-text and hybrid) */
  query: string;
  /** the query's embedding (dense and hybrid) */
  vector?: number[];
  topK: number;
  /** limit to these documents */
  documentIds?: string[];
}

export interface VectorHit {
  /** the segment id */
  id: string;
  documentId: string;
  /** 0..1, higher is closer: cosine similarity for dense, a bounded BM25 for full-text, normalised RRF for hybrid */
  score: number;
}

export interface VectorStore {
  /** Creates what the knowledge needs (idempotent); called before its first write and search. */
  ensureKnowledge(ref: KnowledgeRef): Promise<void>;
  /** Inserts or replaces records by id. */
  upsert(ref: KnowledgeRef, records: VectorRecord[]): Promise<void>;
  /** Removes every vector of a document (idempotent). */
  deleteDocument(ref: KnowledgeRef, documentId: string): Promise<void>;
  /** Removes records by id (segments a re-split no longer has). */
  deleteIds(ref: KnowledgeRef, ids: string[]): Promise<void>;
  /** Removes everything of a knowledge. */
  dropKnowledge(ref: KnowledgeRef): Promise<void>;
  /** How many vectors the knowledge holds (of one document when given). */
  count(ref: KnowledgeRef, documentId?: string): Promise<number>;
  search(ref: KnowledgeRef, request: VectorSearchRequest): Promise<VectorHit[]>;
  close(): Promise<void>;
}
