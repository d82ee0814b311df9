import {
  embeddingSettingsSchema,
  type EmbeddingSettings,
  type IndexingMode,
  type RetrievalMode,
  type RetrievalOptions,
  type RetrievalResult,
} from '@weft/domain';
import { NodeFailure } from '../errors/node-failure';
import type { PrismaClient } from '../persistence/prisma-client';
import type { Embedder } from './embedder';
import type { KnowledgeRef, VectorHit, VectorStore } from './vector-store.port';

export interface RetrievalDeps {
  prisma: PrismaClient;
  vectors: VectorStore;
  embedder: Embedder;
}

export interface RetrievalRequest extends Omit<RetrievalOptions, 'topK'> {
  tenantId: string;
  knowledgeIds: readonly string[];
  topK: number;
}

/** How one knowledge was searched: an economy knowledge answers full-text whatever was asked. */
export interface SearchedKnowledge {
  knowledgeId: string;
  indexing: IndexingMode;
  mode: RetrievalMode;
  /** set when `mode` is not what the request asked for, saying why */
  note?: string;
}

export interface RetrievalAnswer {
  results: RetrievalResult[];
  searched: SearchedKnowledge[];
  /** the query's embedding: served from the cache, or embedded now (tokens counted) */
  embedding: { cached: number; embedded: number; inputTokens: number };
}

interface Target {
  knowledgeId: string;
  indexing: IndexingMode;
  mode: RetrievalMode;
  settings: EmbeddingSettings | null;
  /** the length of the knowledge's dense vectors: set, or recorded by its first indexing; null when none was indexed yet */
  dimensions: number | null;
}

/**
 * Retrieval from one or several knowledges of one tenant: the query is embedded once per distinct
 * embedding model (high-quality only), each knowledge is searched in the vector store, and the hits
 * are merged by score, cut by the threshold and topK, then read back from PostgreSQL (the segment's
 * text, or its wider context, and its document's name). Knowledges are looked up by tenant, so an
 * id of another tenant is `knowledge_not_found`, as an id that does not exist.
 *
 * Scores of different modes are all 0..1 and higher is closer, but they measure different things
 * (cosine similarity, a bounded BM25, a normalised RRF rank): merging across knowledges searched in
 * different modes orders them by those numbers as they are.
 */
export class RetrievalService {
  constructor(private readonly deps: RetrievalDeps) {}

  async retrieve(request: RetrievalRequest, signal?: AbortSignal): Promise<RetrievalAnswer> {
    const targets = await this.targets(request);
    const embedding = { cached: 0, embedded: 0, inputTokens: 0 };
    const vectors = await this.queryVectors(request, targets, embedding, signal);
    const hits: (VectorHit & { knowledgeId: string })[] = [];
    for (const t of targets) {
      const vector = t.settings ? vectors.get(modelKey(t.settings)) : undefined;
      // A high-quality knowledge nothing was indexed in yet has no vectors to find.
      if (t.settings && t.dimensions === null) continue;
      // Its own size, not the query's: a model that changed its output size is vector_invalid, never a search of another collection.
      const ref: KnowledgeRef = { tenantId: request.tenantId, knowledgeId: t.knowledgeId, dimensions: t.dimensions };
      for (const hit of await this.search(ref, t, request, t.mode === 'full-text' ? undefined : vector)) hits.push({ ...hit, knowledgeId: t.knowledgeId });
    }
    const threshold = request.scoreThreshold ?? 0;
    const ranked = hits
      .filter((h) => Number.isFinite(h.score) && h.score >= threshold)
      .sort((a, b) => b.score - a.score || a.id.localeCompare(b.id))
      .slice(0, request.topK);
    const searched = targets.map((t): SearchedKnowledge => {
      const asked = request.mode ?? (t.indexing === 'economy' ? 'full-text' : 'hybrid');
      const note = asked !== t.mode ? `an economy knowledge has no embeddings: searched full-text instead of ${asked}` : undefined;
      return { knowledgeId: t.knowledgeId, indexing: t.indexing, mode: t.mode, ...(note ? { note } : {}) };
    });
    return { results: await this.load(request.tenantId, ranked), searched, embedding };
  }

  private async targets(request: RetrievalRequest): Promise<Target[]> {
    const ids = [...new Set(request.knowledgeIds)];
    const rows = await this.deps.prisma.knowledge.findMany({ where: { tenantId: request.tenantId, id: { in: ids } }, select: { id: true, indexing: true, embedding: true, vectorDimensions: true } });
    const byId = new Map(rows.map((r) => [r.id, r]));
    return ids.map((id) => {
      const row = byId.get(id);
      if (!row) throw new NodeFailure('knowledge_not_found', { id });
      if (row.indexing !== 'high-quality') return { knowledgeId: id, indexing: 'economy', mode: 'full-text', settings: null, dimensions: null };
      const settings = embeddingSettingsSchema.safeParse(row.embedding);
      if (!settings.success) throw new NodeFailure('retrieval_failed', { knowledgeId: id, reason: 'its embedding settings are not readable' });
      return { knowledgeId: id, indexing: 'high-quality', mode: request.mode ?? 'hybrid', settings: settings.data, dimensions: settings.data.dimensions ?? row.vectorDimensions };
    });
  }

  /** One embedding of the query per distinct model among the knowledges that need one. */
  private async queryVectors(request: RetrievalRequest, targets: Target[], usage: RetrievalAnswer['embedding'], signal?: AbortSignal): Promise<Map<string, number[]>> {
    const vectors = new Map<string, number[]>();
    for (const t of targets) {
      // Full-text needs no query vector (the knowledge's size is set or recorded), nor does a
      // knowledge with nothing indexed: a provider that is down does not fail those searches.
      if (!t.settings || t.mode === 'full-text' || t.dimensions === null || vectors.has(modelKey(t.settings))) continue;
      const r = await this.deps.embedder.embed(request.tenantId, t.settings, [request.query], signal);
      vectors.set(modelKey(t.settings), r.vectors[0]!);
      usage.cached += r.cached;
      usage.embedded += r.embedded;
      usage.inputTokens += r.inputTokens;
    }
    return vectors;
  }

  private async search(ref: KnowledgeRef, t: Target, request: RetrievalRequest, vector: number[] | undefined): Promise<VectorHit[]> {
    try {
      // No ensureKnowledge: a search must not create anything, and a knowledge nothing was written to has no hits.
      return await this.deps.vectors.search(ref, { mode: t.mode, query: request.query, ...(vector ? { vector } : {}), topK: request.topK });
    } catch (err) {
      if (err instanceof NodeFailure) throw err;
      // The adapter's own words may name hosts or internals: they go to the log as the cause.
      throw new NodeFailure('retrieval_failed', { knowledgeId: t.knowledgeId, reason: 'the vector store could not search it' }, { cause: err });
    }
  }

  /**
   * The hits' segments as PostgreSQL holds them, scoped by tenant and knowledge. A hit whose
   * segment is gone (its document was deleted while the vector store still held it) is dropped.
   */
  private async load(tenantId: string, hits: (VectorHit & { knowledgeId: string })[]): Promise<RetrievalResult[]> {
    if (hits.length === 0) return [];
    const rows = await this.deps.prisma.knowledgeSegment.findMany({
      where: { tenantId, id: { in: hits.map((h) => h.id) } },
      select: { id: true, knowledgeId: true, documentId: true, position: true, text: true, context: true, metadata: true, document: { select: { name: true } } },
    });
    const byId = new Map(rows.map((r) => [r.id, r]));
    const results: RetrievalResult[] = [];
    for (const hit of hits) {
      const row = byId.get(hit.id);
      if (!row || row.knowledgeId !== hit.knowledgeId) continue;
      const extra = row.metadata && typeof row.metadata === 'object' && !Array.isArray(row.metadata) ? (row.metadata as Record<string, unknown>) : {};
      results.push({
        content: row.context ?? row.text,
        score: Math.min(1, Math.max(0, hit.score)),
        knowledgeId: row.knowledgeId,
        documentId: row.documentId,
        segmentId: row.id,
        metadata: { ...extra, documentName: row.document.name, position: row.position },
      });
    }
    return results;
  }
}

function modelKey(s: EmbeddingSettings): string {
  return JSON.stringify([s.provider ?? null, s.model, s.dimensions ?? null]);
}
