import type { ChunkingSettings, DocumentFormat } from '@weft/domain';

/**
 * The shapes the parse and split steps of ingestion share (parse/ and split/ implement them).
 * Parsing runs untrusted bytes: it is bounded in time and memory and fails with KnowledgeFailure
 * codes document_unsupported, document_unreadable, document_empty, document_too_large.
 */
export interface ParsedDocument {
  /** the document's text after cleaning; markdown keeps its headings (`#`), html and docx are turned into markdown-like text */
  text: string;
  title?: string;
}

/** parseDocument(bytes, format, name) → ParsedDocument */
export type ParseDocument = (bytes: Buffer, format: DocumentFormat, name: string) => Promise<ParsedDocument>;

export interface SegmentDraft {
  /** 0-based order in the document */
  position: number;
  /** what is embedded and matched */
  text: string;
  /** what retrieval returns when wider than `text` (the parent chunk of parent-child), else undefined */
  context?: string;
  tokenCount: number;
  /** e.g. the heading path of the markdown strategy */
  metadata?: Record<string, unknown>;
}

/** splitDocument(text, chunking, format) → the segments, in order */
export type SplitDocument = (text: string, chunking: ChunkingSettings, format: DocumentFormat) => SegmentDraft[];
