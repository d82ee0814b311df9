import { DOCUMENT_FORMATS, KNOWLEDGE_LIMITS } from '@weft/domain';
import { NodeFailure } from '../../errors/node-failure';
import type { ParseDocument, ParsedDocument } from '../document-pipeline.types';
import { FORMAT_LABELS } from './document-format';
import { ParserPool, type ParserPoolOptions, type ThreadLoss } from './parser-pool';

export interface DocumentParserOptions extends ParserPoolOptions {
  /** bytes a document may have (default KNOWLEDGE_LIMITS.maxDocumentBytes) */
  maxDocumentBytes?: number;
  /** characters of text a document may expand to (default 20 million: 20,000 segments of 1,000) */
  maxTextChars?: number;
}

const DEFAULT_MAX_TEXT_CHARS = 20_000_000;

/**
 * Parses untrusted documents into clean text (ParseDocument), in a pool of bounded threads.
 * Every way a document can be wrong ends as a NodeFailure with a document_* code and plain words:
 * document_unsupported, document_too_large (bytes or text), document_unreadable (corrupt, or past
 * a time or memory bound), document_empty (no text once cleaned).
 */
export class DocumentParser {
  private readonly pool: ParserPool;
  private readonly maxDocumentBytes: number;
  private readonly maxTextChars: number;

  constructor(options: DocumentParserOptions = {}) {
    const { maxDocumentBytes, maxTextChars, ...poolOptions } = options;
    this.pool = new ParserPool(poolOptions);
    this.maxDocumentBytes = maxDocumentBytes ?? KNOWLEDGE_LIMITS.maxDocumentBytes;
    this.maxTextChars = maxTextChars ?? DEFAULT_MAX_TEXT_CHARS;
  }

  readonly parse: ParseDocument = async (bytes, format, name) => {
    if (!(DOCUMENT_FORMATS as readonly string[]).includes(format)) throw new NodeFailure('document_unsupported', { name });
    if (bytes.length > this.maxDocumentBytes) {
      throw new NodeFailure('document_too_large', { name, reason: `it has ${sizeLabel(bytes.length)}; a document may have ${sizeLabel(this.maxDocumentBytes)}` });
    }
    if (bytes.length === 0) throw new NodeFailure('document_empty', { name });
    const reply = await this.pool.parse(bytes, format, this.maxTextChars);
    if (reply.ok) {
      if (!reply.text) throw new NodeFailure('document_empty', { name });
      const doc: ParsedDocument = { text: reply.text };
      if (reply.title) doc.title = reply.title;
      return doc;
    }
    const cause = reply.detail ? new Error(reply.detail) : undefined;
    if ('lost' in reply) {
      // Shut down under it: the document is not at fault, and a plain error lets the step be retried.
      if (reply.lost === 'closed') throw new Error('the document parser was shut down');
      throw new NodeFailure('document_unreadable', { name, format: FORMAT_LABELS[format], reason: this.lossReason(reply.lost) }, { cause });
    }
    if (reply.kind === 'too_large') throw new NodeFailure('document_too_large', { name, reason: reply.reason }, { cause });
    throw new NodeFailure('document_unreadable', { name, format: FORMAT_LABELS[format], reason: reply.reason }, { cause });
  };

  /** Ends the parse threads (the worker's shutdown). */
  close(): Promise<void> {
    return this.pool.close();
  }

  private lossReason(lost: Exclude<ThreadLoss, 'closed'>): string {
    switch (lost) {
      case 'timeout':
        return `reading it took longer than ${Math.round(this.pool.timeoutMs / 100) / 10} s`;
      case 'memory':
        return 'reading it needed more memory than a document may use';
      case 'crashed':
        return 'the parser stopped while reading it';
    }
  }
}

function sizeLabel(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

let shared: DocumentParser | undefined;

/** ParseDocument on one pool shared by the process (created on first use, with the default bounds). */
export const parseDocument: ParseDocument = (bytes, format, name) => (shared ??= new DocumentParser()).parse(bytes, format, name);

/** Ends the shared pool's threads, if it was created. */
export async function closeSharedDocumentParser(): Promise<void> {
  const pool = shared;
  shared = undefined;
  await pool?.close();
}
