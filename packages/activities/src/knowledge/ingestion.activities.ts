import {
  INGESTION_SEGMENTS_PER_ACTIVITY,
  KNOWLEDGE_LIMITS,
  attemptOfIngestionWorkflow,
  chunkingSchema,
  embeddingSettingsSchema,
  segmentIdFor,
  type DocumentFormat,
  type DocumentOutcome,
  type DocumentStatus,
  type DocumentStep,
  type EmbeddingSettings,
  type IndexedDocument,
  type IndexingMode,
  type IngestionActivities,
} from '@weft/domain';
import { NodeFailure } from '../errors/node-failure';
import type { RunEventStream } from '../events/run-event-stream';
import type { Logger } from '../observability/logger';
import type { WorkerMetrics } from '../observability/metrics';
import type { PrismaClient } from '../persistence/prisma-client';
import type { ParseDocument, SplitDocument } from './document-pipeline.types';
import type { Embedder } from './embedder';
import { IngestionEvents, jobCounts } from './ingestion-events';
import { checkCancelled, ingestionStep } from './ingestion-step';
import type { KnowledgeRef, VectorRecord, VectorStore } from './vector-store.port';

export interface IngestionActivityDeps {
  prisma: PrismaClient;
  vectors: VectorStore;
  embedder: Pick<Embedder, 'embed'>;
  parse: ParseDocument;
  split: SplitDocument;
  events: RunEventStream;
  logger: Logger;
  /** documents whose indexing ended (the worker's /metrics) */
  metrics?: WorkerMetrics;
}

/** Rows of segments written at once (a 20,000-segment document is 20 inserts, not one huge one). */
const SEGMENT_WRITE_CHUNK = 1000;
const CANCELLED_MESSAGE = 'The ingestion job was cancelled before this document was indexed; retry the job to index it';

interface KnowledgeSettings {
  indexing: IndexingMode;
  embedding: EmbeddingSettings | null;
  /** the length of its dense vectors once the first indexing recorded it */
  vectorDimensions: number | null;
}

/**
 * The activities of the ingestion task queue, built from their ports. Each reads what it needs
 * from PostgreSQL by id (texts and vectors never travel through Temporal), is safe to run again
 * (a retried step rewrites the same rows and upserts the same vector ids), and writes the
 * document's status as it goes, publishing it on the job's event stream.
 */
export function createIngestionActivities(deps: IngestionActivityDeps): IngestionActivities {
  const { prisma, vectors, embedder, logger } = deps;
  const events = new IngestionEvents(deps.events, prisma, logger, deps.metrics);

  /** The document with its knowledge's settings; null when either was deleted meanwhile. */
  const load = async (step: DocumentStep) => {
    const doc = await prisma.knowledgeDocument.findFirst({
      where: { id: step.documentId, tenantId: step.tenantId, knowledgeId: step.knowledgeId },
      select: { id: true, name: true, format: true, segmentCount: true, knowledge: { select: { indexing: true, embedding: true, chunking: true, vectorDimensions: true } } },
    });
    if (!doc) return null;
    return { doc, settings: settingsOf(doc.knowledge), chunking: doc.knowledge.chunking };
  };

  const refOf = (step: DocumentStep, settings: KnowledgeSettings, dimensions: number | null): KnowledgeRef => ({
    tenantId: step.tenantId,
    knowledgeId: step.knowledgeId,
    dimensions: settings.indexing === 'economy' ? null : dimensions,
  });

  /**
   * The knowledge as the vector store knows it. High-quality vectors live by their dimensions
   * (docs/adr/0010): the knowledge's setting, else the length its first indexing recorded.
   * Null: nothing of this knowledge can have been indexed densely.
   */
  const storedRef = async (step: DocumentStep, settings: KnowledgeSettings): Promise<KnowledgeRef | null> => {
    if (settings.indexing === 'economy') return refOf(step, settings, null);
    const dimensions = settings.embedding?.dimensions ?? settings.vectorDimensions;
    return dimensions ? refOf(step, settings, dimensions) : null;
  };

  const setStatus = async (step: DocumentStep, name: string, status: DocumentStatus) => {
    await prisma.knowledgeDocument.updateMany({ where: { id: step.documentId, tenantId: step.tenantId }, data: { status } });
    await events.documentStatus(step, { documentId: step.documentId, name, status });
  };

  const segmentsOf = (step: DocumentStep, from: number, to: number) =>
    prisma.knowledgeSegment.findMany({
      where: { tenantId: step.tenantId, documentId: step.documentId, position: { gte: from, lt: to } },
      orderBy: { position: 'asc' },
      select: { id: true, position: true, text: true },
    });

  /** Vectors of texts: the cache's, or the provider's in requests of KNOWLEDGE_LIMITS.embeddingBatchSize (the embedder batches; the signal stops it once cancelled). */
  const embedAll = async (tenantId: string, settings: EmbeddingSettings, texts: string[], signal: AbortSignal): Promise<number[][]> => {
    checkCancelled(signal);
    return (await embedder.embed(tenantId, settings, texts, signal)).vectors;
  };

  const needEmbedding = (settings: KnowledgeSettings, name: string): EmbeddingSettings => {
    if (!settings.embedding) throw new NodeFailure('embedding_unavailable', { provider: 'this knowledge', reason: `'${name}' belongs to a high-quality knowledge with no embedding model set` });
    return settings.embedding;
  };

  /** Parse, clean and split: the document's segments replaced in PostgreSQL (null: the document or its knowledge is gone). */
  const prepare = async (step: DocumentStep, signal: AbortSignal) => {
    const found = await load(step);
    if (!found) return null;
    const { doc, settings } = found;
    await setStatus(step, doc.name, 'parsing');
    const row = await prisma.knowledgeDocument.findUniqueOrThrow({ where: { id: doc.id, tenantId: step.tenantId }, select: { content: true } });
    const format = doc.format as DocumentFormat;
    const parsed = await deps.parse(Buffer.from(row.content.buffer, row.content.byteOffset, row.content.byteLength), format, doc.name);
    checkCancelled(signal);
    await setStatus(step, doc.name, 'splitting');
    const drafts = deps.split(parsed.text, chunkingSchema.parse(found.chunking), format);
    if (drafts.length === 0) throw new NodeFailure('document_empty', { name: doc.name });
    if (drafts.length > KNOWLEDGE_LIMITS.maxSegmentsPerDocument) {
      throw new NodeFailure('document_too_large', { name: doc.name, reason: `it makes ${drafts.length} segments, more than ${KNOWLEDGE_LIMITS.maxSegmentsPerDocument}` });
    }
    checkCancelled(signal);
    // Replaced as a whole: a re-index leaves no segment of the old split behind (its vectors
    // past the new count are removed when the document completes).
    const rows = drafts.map((d, position) => ({
      id: segmentIdFor(doc.id, position),
      tenantId: step.tenantId,
      knowledgeId: step.knowledgeId,
      documentId: doc.id,
      position,
      text: d.text,
      context: d.context ?? null,
      tokenCount: d.tokenCount,
      ...(d.metadata ? { metadata: d.metadata as object } : {}),
    }));
    await prisma.$transaction(async (tx) => {
      await tx.knowledgeSegment.deleteMany({ where: { tenantId: step.tenantId, documentId: doc.id } });
      for (let i = 0; i < rows.length; i += SEGMENT_WRITE_CHUNK) await tx.knowledgeSegment.createMany({ data: rows.slice(i, i + SEGMENT_WRITE_CHUNK) });
    }, { timeout: 120_000 });
    return { doc, settings, segments: rows };
  };

  /** Upserts segments into the vector store by their deterministic ids (with their dense vectors on a high-quality knowledge). */
  const index = async (step: DocumentStep, documentId: string, settings: KnowledgeSettings, segments: Array<{ id: string; text: string }>, dense: number[][] | undefined, signal: AbortSignal) => {
    checkCancelled(signal);
    const records: VectorRecord[] = segments.map((s, i) => ({ id: s.id, documentId, text: s.text, ...(dense ? { dense: dense[i]! } : {}) }));
    const ref = refOf(step, settings, dense?.[0]?.length ?? null);
    // Recorded before the first vector is written, so deletes always find the collection.
    if (ref.dimensions !== null && settings.vectorDimensions === null) {
      await prisma.knowledge.updateMany({ where: { id: step.knowledgeId, tenantId: step.tenantId, vectorDimensions: null }, data: { vectorDimensions: ref.dimensions } });
    }
    await vectors.ensureKnowledge(ref);
    await vectors.upsert(ref, records);
  };

  /** Removes vectors of positions the new split no longer has, marks the document completed and publishes it. */
  const complete = async (step: DocumentStep, doc: { id: string; name: string; segmentCount: number }, settings: KnowledgeSettings) => {
    const totals = await prisma.knowledgeSegment.aggregate({ where: { tenantId: step.tenantId, documentId: doc.id }, _count: { _all: true }, _sum: { tokenCount: true } });
    const segmentCount = totals._count._all;
    const tokenCount = totals._sum.tokenCount ?? 0;
    // Vectors of positions an earlier, longer split had: segment ids are (document, position).
    if (doc.segmentCount > segmentCount) {
      const stale = Array.from({ length: doc.segmentCount - segmentCount }, (_, i) => segmentIdFor(doc.id, segmentCount + i));
      const ref = await storedRef(step, settings);
      if (ref) await vectors.deleteIds(ref, stale);
    }
    await prisma.knowledgeDocument.updateMany({
      where: { id: doc.id, tenantId: step.tenantId },
      data: { status: 'completed', segmentCount, tokenCount, indexedAt: new Date(), errorCode: null, errorMessage: null },
    });
    await events.documentStatus(step, { documentId: doc.id, name: doc.name, status: 'completed' });
    await events.progress(step.tenantId, step.jobId);
    return { documentId: doc.id, status: 'completed' as const, segmentCount, tokenCount };
  };

  return {
    ingestionJobStarted: ingestionStep(logger, 'ingestionJobStarted', async ({ jobId, tenantId, attemptKey, documentIds }) => {
      const now = new Date();
      await prisma.$transaction([
        // A retried activity keeps the first start time of this attempt; a late one of an earlier attempt writes nothing.
        prisma.ingestionJob.updateMany({ where: { id: jobId, tenantId, ...notLaterThan(jobId, attemptKey), OR: [{ status: { not: 'running' } }, { startedAt: null }] }, data: { status: 'running', startedAt: now, finishedAt: null } }),
        prisma.knowledgeDocument.updateMany({ where: { tenantId, id: { in: documentIds } }, data: { status: 'queued', errorCode: null, errorMessage: null, jobId } }),
      ]);
      const counts = await jobCounts(prisma, tenantId, jobId);
      await events.started({ jobId, attemptKey }, { documents: documentIds.length, ...counts });
    }),

    ingestionJobFinished: ingestionStep(logger, 'ingestionJobFinished', async ({ jobId, tenantId, attemptKey, cancelled }) => {
      if (cancelled) {
        // Documents the cancelled attempt never finished (not started, or stopped before their child could say so).
        const open = await prisma.knowledgeDocument.findMany({
          where: { tenantId, jobId, status: { notIn: ['completed', 'error'] } },
          select: { id: true, name: true },
        });
        if (open.length > 0) {
          await prisma.knowledgeDocument.updateMany({
            where: { tenantId, id: { in: open.map((d) => d.id) }, status: { notIn: ['completed', 'error'] } },
            data: { status: 'error', errorCode: 'ingestion_cancelled', errorMessage: CANCELLED_MESSAGE },
          });
          for (const d of open) {
            await events.documentStatus({ jobId, attemptKey }, { documentId: d.id, name: d.name, status: 'error', error: { code: 'ingestion_cancelled', message: CANCELLED_MESSAGE } });
          }
        }
      }
      const counts = await jobCounts(prisma, tenantId, jobId);
      const status = cancelled ? 'cancelled' : counts.failed > 0 ? 'completed-with-errors' : 'completed';
      // A late retry of an earlier attempt's end must not overwrite the status of a newer attempt.
      await prisma.ingestionJob.updateMany({ where: { id: jobId, tenantId, ...notLaterThan(jobId, attemptKey) }, data: { status, finishedAt: new Date() } });
      await events.finished({ jobId, attemptKey }, { status, ...counts });
      return { status, ...counts };
    }),

    indexDocument: ingestionStep(logger, 'indexDocument', async (step, signal): Promise<IndexedDocument> => {
      const prepared = await prepare(step, signal);
      if (!prepared) return { documentId: step.documentId, status: 'gone' };
      const { doc, settings, segments } = prepared;
      if (segments.length > INGESTION_SEGMENTS_PER_ACTIVITY) {
        return { documentId: doc.id, status: 'prepared', segmentCount: segments.length, indexing: settings.indexing };
      }
      // One range: the segments just written are at hand, and their vectors are embedded once.
      let dense: number[][] | undefined;
      if (settings.indexing === 'high-quality') {
        await setStatus(step, doc.name, 'embedding');
        dense = await embedAll(step.tenantId, needEmbedding(settings, doc.name), segments.map((s) => s.text), signal);
      }
      await setStatus(step, doc.name, 'indexing');
      await index(step, doc.id, settings, segments, dense, signal);
      return complete(step, doc, settings);
    }),

    embedSegments: ingestionStep(logger, 'embedSegments', async (step, signal) => {
      const found = await load(step);
      if (!found) return;
      if (step.from === 0) await setStatus(step, found.doc.name, 'embedding');
      const settings = needEmbedding(found.settings, found.doc.name);
      const segments = await segmentsOf(step, step.from, step.to);
      await embedAll(step.tenantId, settings, segments.map((s) => s.text), signal);
    }),

    indexSegments: ingestionStep(logger, 'indexSegments', async (step, signal) => {
      const found = await load(step);
      if (!found) return;
      const { doc, settings } = found;
      if (step.from === 0) await setStatus(step, doc.name, 'indexing');
      const segments = await segmentsOf(step, step.from, step.to);
      if (segments.length === 0) return;
      // High-quality: the vectors embedSegments paid for, now read back from the embedding cache.
      const dense = settings.indexing === 'high-quality' ? await embedAll(step.tenantId, needEmbedding(settings, doc.name), segments.map((s) => s.text), signal) : undefined;
      await index(step, doc.id, settings, segments, dense, signal);
    }),

    documentIndexed: ingestionStep(logger, 'documentIndexed', async (step): Promise<DocumentOutcome> => {
      const found = await load(step);
      if (!found) {
        await removeVectorsOfDeleted(step);
        return { documentId: step.documentId, status: 'gone' };
      }
      return complete(step, found.doc, found.settings);
    }),

    documentFailed: ingestionStep(logger, 'documentFailed', async (step) => {
      const found = await load(step);
      if (!found) {
        await removeVectorsOfDeleted(step);
        return;
      }
      const { doc, settings } = found;
      // A document in error has nothing indexed: retrieval must not return half of it. If the
      // store cannot be reached now, the document still ends in error (never stuck), keeping its
      // segment count so that the next index of it knows which vector ids to clear.
      let vectorsRemoved = true;
      try {
        const ref = await storedRef(step, settings);
        if (ref) await vectors.deleteDocument(ref, doc.id);
      } catch (err) {
        vectorsRemoved = false;
        logger.warn('vectors of a failed document not removed', { documentId: doc.id, error: String(err) });
      }
      const error = { code: step.code, message: step.message };
      await prisma.$transaction([
        prisma.knowledgeSegment.deleteMany({ where: { tenantId: step.tenantId, documentId: doc.id } }),
        prisma.knowledgeDocument.updateMany({
          where: { id: doc.id, tenantId: step.tenantId },
          data: { status: 'error', errorCode: error.code, errorMessage: error.message, tokenCount: 0, ...(vectorsRemoved ? { segmentCount: 0 } : {}) },
        }),
      ]);
      await events.documentStatus(step, { documentId: doc.id, name: doc.name, status: 'error', error });
      await events.progress(step.tenantId, step.jobId);
    }),
  };

  /** A document deleted while it was indexed: what this job upserted after the delete removed its vectors goes too. */
  async function removeVectorsOfDeleted(step: DocumentStep): Promise<void> {
    const knowledge = await prisma.knowledge.findFirst({ where: { id: step.knowledgeId, tenantId: step.tenantId }, select: { indexing: true, embedding: true, vectorDimensions: true } });
    if (!knowledge) return;
    const ref = await storedRef(step, settingsOf(knowledge));
    if (ref) await vectors.deleteDocument(ref, step.documentId);
  }
}

/** The job row's condition for an attempt's write: the job is not at a later attempt already. */
function notLaterThan(jobId: string, attemptKey: string): { attempt?: { lte: number } } {
  const attempt = attemptOfIngestionWorkflow(jobId, attemptKey);
  return attempt === undefined ? {} : { attempt: { lte: attempt } };
}

function settingsOf(knowledge: { indexing: string; embedding: unknown; vectorDimensions: number | null }): KnowledgeSettings {
  return {
    indexing: knowledge.indexing === 'high-quality' ? 'high-quality' : 'economy',
    embedding: knowledge.embedding ? embeddingSettingsSchema.parse(knowledge.embedding) : null,
    vectorDimensions: knowledge.vectorDimensions,
  };
}
