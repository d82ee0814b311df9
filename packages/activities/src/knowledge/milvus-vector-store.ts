import { ConsistencyLevelEnum, DataType, FunctionType, MilvusClient, RRFRanker, type FieldType, type RowData } from '@zilliz/milvus2-sdk-node';
import { NodeFailure } from '../errors/node-failure';
import { KeyedMutex } from './keyed-mutex';
import type { KnowledgeRef, VectorHit, VectorRecord, VectorSearchRequest, VectorStore } from './vector-store.port';

/**
 * The knowledge vector store on Milvus (docs/adr/0010-knowledge-vector-store.md): Milvus standalone
 * in docker-compose, Milvus Lite locally and in tests, both through the same gRPC SDK.
 *
 * Shared collections, one per kind of knowledge: `weft_kb_v1_bm25` for economy knowledge (BM25
 * only) and `weft_kb_v1_dense_<dimensions>` for high-quality knowledge of those dimensions (dense
 * vectors and BM25). `knowledge_id` is the partition key, and every read and write is scoped by
 * `tenant_id == … and knowledge_id == …`, added here and nowhere else. The primary key joins tenant,
 * knowledge and segment id, so the same segment id in two knowledges is two rows, and writing a
 * record again replaces it (upsert).
 */
export interface MilvusVectorStoreOptions {
  /** host:port of Milvus's gRPC endpoint (MILVUS_ADDRESS) */
  address: string;
  /** `user:password` or an API key (MILVUS_TOKEN); Milvus Lite has no authentication */
  token?: string;
  /** deadline of each call to Milvus */
  timeoutMs?: number;
}

/** Results a search may ask for (the retrieval options' own bound). */
export const VECTOR_SEARCH_MAX_TOP_K = 100;
/** The k of reciprocal rank fusion: a hit's fused score is Σ 1/(k + rank) over the legs it is in. */
export const HYBRID_RRF_K = 60;
/** The BM25 score mapped to 0.5: a full-text score s becomes s / (s + this). */
export const FULL_TEXT_HALF_SCORE = 2;

const COLLECTION_PREFIX = 'weft_kb_v1';
/** Ids go into filter expressions: only this alphabet, so no value can change an expression. */
const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
/** A VarChar's largest size in bytes; BM25 indexes the text's first this-many bytes. */
const TEXT_MAX_BYTES = 65_535;
/** Rows per upsert request, and ids per delete request: keeps each gRPC message small. */
const WRITE_BATCH = 256;
const MAX_FILTER_DOCUMENTS = 1_000;
const MIN_DIMENSIONS = 2;
const MAX_DIMENSIONS = 4_096;

type Leg = 'dense' | 'full-text';

export class MilvusVectorStore implements VectorStore {
  private client: MilvusClient | undefined;
  private closed = false;
  /** Collections known to exist and be loaded in this process. */
  private readonly ready = new Set<string>();
  /**
   * Writes to one collection, one at a time: Milvus Lite's engine is single-writer per collection
   * (its server runs requests on a thread pool and does not serialise writes itself). This covers
   * one process; Milvus standalone needs none of it.
   */
  private readonly writes = new KeyedMutex();

  constructor(private readonly options: MilvusVectorStoreOptions) {}

  async ensureKnowledge(ref: KnowledgeRef): Promise<void> {
    await this.collection(ref, 'create');
  }

  async upsert(ref: KnowledgeRef, records: VectorRecord[]): Promise<void> {
    if (records.length === 0) return;
    const rows = new Map<string, RowData>();
    // The last record of an id wins, as if they had been written one after the other.
    for (const record of records) rows.set(record.id, this.row(ref, record));
    const name = await this.collection(ref, 'create');
    const all = [...rows.values()];
    for (let i = 0; i < all.length; i += WRITE_BATCH) {
      const data = all.slice(i, i + WRITE_BATCH);
      await this.writes.run(name, () => this.call((c) => c.upsert({ collection_name: name, data })));
    }
  }

  async deleteDocument(ref: KnowledgeRef, documentId: string): Promise<void> {
    const name = await this.collection(ref, 'existing');
    if (!name) return;
    const filter = `${scope(ref)} and document_id == ${quoteId(documentId)}`;
    await this.writes.run(name, () => this.call((c) => c.delete({ collection_name: name, filter })));
  }

  async deleteIds(ref: KnowledgeRef, ids: string[]): Promise<void> {
    const keys = [...new Set(ids)].map((id) => quotePrimaryKey(ref, id));
    if (keys.length === 0) return;
    const name = await this.collection(ref, 'existing');
    if (!name) return;
    for (let i = 0; i < keys.length; i += WRITE_BATCH) {
      const filter = `${scope(ref)} and pk in [${keys.slice(i, i + WRITE_BATCH).join(', ')}]`;
      await this.writes.run(name, () => this.call((c) => c.delete({ collection_name: name, filter })));
    }
  }

  /** Deletes the knowledge's rows; the shared collection stays for the other knowledges. */
  async dropKnowledge(ref: KnowledgeRef): Promise<void> {
    const name = await this.collection(ref, 'existing');
    if (!name) return;
    const filter = scope(ref);
    await this.writes.run(name, () => this.call((c) => c.delete({ collection_name: name, filter })));
  }

  async count(ref: KnowledgeRef, documentId?: string): Promise<number> {
    const name = await this.collection(ref, 'existing');
    if (!name) return 0;
    const filter = documentId === undefined ? scope(ref) : `${scope(ref)} and document_id == ${quoteId(documentId)}`;
    const res = await this.call((c) =>
      c.query({ collection_name: name, filter, output_fields: ['count(*)'], consistency_level: ConsistencyLevelEnum.Strong }),
    );
    const value = Number(res.data[0]?.['count(*)'] ?? 0);
    return Number.isFinite(value) ? value : 0;
  }

  async search(ref: KnowledgeRef, request: VectorSearchRequest): Promise<VectorHit[]> {
    const { topK } = request;
    if (!Number.isInteger(topK) || topK < 1 || topK > VECTOR_SEARCH_MAX_TOP_K) {
      throw new RangeError(`topK must be an integer from 1 to ${VECTOR_SEARCH_MAX_TOP_K}, got ${topK}`);
    }
    let filter = scope(ref);
    if (request.documentIds !== undefined) {
      if (request.documentIds.length === 0) return [];
      if (request.documentIds.length > MAX_FILTER_DOCUMENTS) throw new RangeError(`a search may be limited to at most ${MAX_FILTER_DOCUMENTS} documents`);
      filter += ` and document_id in [${[...new Set(request.documentIds)].map(quoteId).join(', ')}]`;
    }
    // Economy knowledge has no dense vectors: it answers full-text whatever is asked.
    const mode = ref.dimensions === null ? 'full-text' : request.mode;
    const legs: Leg[] = mode === 'hybrid' ? ['dense', 'full-text'] : [mode];
    if (legs.includes('dense')) this.checkVector(ref, request.vector, 'the query');
    if (legs.includes('full-text') && request.query.trim() === '') {
      if (mode === 'full-text') return [];
      legs.splice(legs.indexOf('full-text'), 1);
    }
    const name = await this.collection(ref, 'existing');
    if (!name) return [];
    const output_fields = ['segment_id', 'document_id'];
    const consistency_level = ConsistencyLevelEnum.Strong;
    const leg = (kind: Leg) =>
      kind === 'dense'
        ? { anns_field: 'dense', data: request.vector!, params: { metric_type: 'COSINE' } }
        : // Milvus Lite answers a BM25 search with no results unless the metric is named, in the request and its params.
          { anns_field: 'sparse', data: request.query, params: { metric_type: 'BM25' } };

    if (legs.length === 2) {
      const res = await this.call((c) =>
        c.hybridSearch({
          collection_name: name,
          data: legs.map((l) => ({ ...leg(l), expr: filter })),
          rerank: RRFRanker(HYBRID_RRF_K),
          limit: topK,
          filter,
          output_fields,
          consistency_level,
        }),
      );
      // The best a hit can do is rank first in both legs: 2/(k+1), which becomes 1.
      return hits(res.results, (s) => (s * (HYBRID_RRF_K + 1)) / 2);
    }
    const only = legs[0]!;
    const res = await this.call((c) =>
      c.search({
        collection_name: name,
        ...leg(only),
        ...(only === 'full-text' ? { metric_type: 'BM25' } : { metric_type: 'COSINE' }),
        limit: topK,
        filter,
        output_fields,
        consistency_level,
      }),
    );
    return hits(res.results, only === 'dense' ? (s) => s : fullTextScore);
  }

  /** Throws NodeFailure('vector_store_unavailable') unless Milvus answers that it is healthy. */
  async ping(): Promise<void> {
    const res = await this.call((c) => c.checkHealth());
    if (!res.isHealthy) throw unavailable(new Error(`Milvus reports itself unhealthy: ${(res.reasons ?? []).join('; ')}`));
  }

  async close(): Promise<void> {
    this.closed = true;
    const client = this.client;
    this.client = undefined;
    await client?.closeConnection().catch(() => undefined);
  }

  /** The knowledge's collection, loaded; created when asked, else null when it does not exist. */
  private async collection(ref: KnowledgeRef, want: 'create'): Promise<string>;
  private async collection(ref: KnowledgeRef, want: 'existing'): Promise<string | null>;
  private async collection(ref: KnowledgeRef, want: 'create' | 'existing'): Promise<string | null> {
    checkRef(ref);
    const name = collectionName(ref);
    if (this.ready.has(name)) return name;
    // Under the collection's write lock: two first writes in this process create it once.
    return this.writes.run(name, async () => {
      if (this.ready.has(name)) return name;
      const exists = await this.call((c) => c.hasCollection({ collection_name: name }));
      if (!exists.value) {
        if (want === 'existing') return null;
        const created = await this.call((c) => c.createCollection(collectionSpec(name, ref.dimensions)), { allowFailure: true });
        // Another process may have created it meanwhile; anything else is a failure.
        if (created.error_code !== 'Success') {
          const again = await this.call((c) => c.hasCollection({ collection_name: name }));
          if (!again.value) throw unavailable(new Error(`creating ${name} failed: ${created.reason}`));
        }
      }
      await this.call((c) => c.loadCollection({ collection_name: name }));
      this.ready.add(name);
      return name;
    });
  }

  private row(ref: KnowledgeRef, record: VectorRecord): RowData {
    quoteId(record.id);
    quoteId(record.documentId);
    const row: RowData = {
      pk: primaryKey(ref, record.id),
      tenant_id: ref.tenantId,
      knowledge_id: ref.knowledgeId,
      segment_id: record.id,
      document_id: record.documentId,
      text: fitBytes(record.text, TEXT_MAX_BYTES),
    };
    if (ref.dimensions !== null) row.dense = this.checkVector(ref, record.dense, `segment ${record.id}`);
    return row;
  }

  private checkVector(ref: KnowledgeRef, vector: number[] | undefined, what: string): number[] {
    const fail = (reason: string) => new NodeFailure('vector_invalid', { knowledgeId: ref.knowledgeId, reason: `${what} ${reason}` });
    if (!Array.isArray(vector)) throw fail('has no embedding');
    if (vector.length !== ref.dimensions) throw fail(`has ${vector.length} dimensions; the knowledge holds ${ref.dimensions}`);
    if (!vector.every((v) => typeof v === 'number' && Number.isFinite(v))) throw fail('holds a value that is not a finite number');
    return vector;
  }

  private async connected(): Promise<MilvusClient> {
    if (this.closed) throw new Error('the vector store is closed');
    let client = this.client;
    if (!client) {
      client = new MilvusClient({
        address: this.options.address,
        ...(this.options.token ? { token: this.options.token } : {}),
        timeout: this.options.timeoutMs ?? 30_000,
        logLevel: 'error',
        // gRPC waits up to 2 minutes between reconnection attempts by default: a Milvus that is
        // back is reached within seconds instead.
        channelOptions: { 'grpc.initial_reconnect_backoff_ms': 500, 'grpc.max_reconnect_backoff_ms': 5_000 },
        // Heartbeats that report client metrics to the server: nothing here reads them.
        telemetry: { enabled: false },
      });
      // The client connects on construction and keeps that promise; handled here, awaited below.
      client.connectPromise.catch(() => undefined);
      this.client = client;
    }
    try {
      await client.connectPromise;
      return client;
    } catch (err) {
      // A client whose first connection failed never retries it: the next call makes a new one.
      if (this.client === client) this.client = undefined;
      void client.closeConnection().catch(() => undefined);
      throw unavailable(err);
    }
  }

  /**
   * One call to Milvus. Whatever goes wrong there (no answer, a refused connection, an error
   * status) is NodeFailure('vector_store_unavailable'), with the details only in its cause.
   */
  private async call<T>(fn: (client: MilvusClient) => Promise<T>, opts: { allowFailure?: boolean } = {}): Promise<T> {
    const client = await this.connected();
    let res: T;
    try {
      res = await fn(client);
    } catch (err) {
      throw unavailable(err);
    }
    const status = statusOf(res);
    if (!opts.allowFailure && status && status.error_code !== 'Success') {
      // The collection may have been dropped behind this process's back: look again next time.
      this.ready.clear();
      throw unavailable(new Error(`Milvus answered ${status.error_code}: ${status.reason}`));
    }
    return res;
  }
}

function unavailable(cause: unknown): NodeFailure<'vector_store_unavailable'> {
  return cause instanceof NodeFailure && cause.code === 'vector_store_unavailable' ? cause : new NodeFailure('vector_store_unavailable', {}, { cause });
}

interface Status {
  error_code: string | number;
  reason: string;
}

/** Milvus answers most failures with a status rather than an error: a response's own or its `status`. */
function statusOf(res: unknown): Status | undefined {
  if (!res || typeof res !== 'object') return undefined;
  const r = res as { status?: Status; error_code?: string | number; reason?: string };
  if (r.status && typeof r.status === 'object' && 'error_code' in r.status) return r.status;
  if ('error_code' in r && r.error_code !== undefined) return { error_code: r.error_code, reason: r.reason ?? '' };
  return undefined;
}

function checkRef(ref: KnowledgeRef): void {
  quoteId(ref.tenantId);
  quoteId(ref.knowledgeId);
  const d = ref.dimensions;
  if (d !== null && !(Number.isInteger(d) && d >= MIN_DIMENSIONS && d <= MAX_DIMENSIONS)) {
    throw new NodeFailure('vector_invalid', { knowledgeId: ref.knowledgeId, reason: `its dimensions must be an integer from ${MIN_DIMENSIONS} to ${MAX_DIMENSIONS}, got ${d}` });
  }
}

/** An id as a filter literal; refuses anything outside the id alphabet rather than escaping it. */
function quoteId(id: string): string {
  if (typeof id !== 'string' || !ID_PATTERN.test(id)) throw new RangeError('an id for the vector store must be 1-64 letters, digits, _ or -');
  return `"${id}"`;
}

function quotePrimaryKey(ref: KnowledgeRef, segmentId: string): string {
  quoteId(segmentId);
  return `"${primaryKey(ref, segmentId)}"`;
}

function scope(ref: KnowledgeRef): string {
  return `tenant_id == ${quoteId(ref.tenantId)} and knowledge_id == ${quoteId(ref.knowledgeId)}`;
}

/** Unique across tenants and knowledges, so nobody's record can replace another's. */
function primaryKey(ref: KnowledgeRef, segmentId: string): string {
  return `${ref.tenantId}.${ref.knowledgeId}.${segmentId}`;
}

export function collectionName(ref: Pick<KnowledgeRef, 'dimensions'>): string {
  return ref.dimensions === null ? `${COLLECTION_PREFIX}_bm25` : `${COLLECTION_PREFIX}_dense_${ref.dimensions}`;
}

function collectionSpec(name: string, dimensions: number | null) {
  const fields: FieldType[] = [
    { name: 'pk', data_type: DataType.VarChar, is_primary_key: true, max_length: 3 * 64 + 2 },
    { name: 'tenant_id', data_type: DataType.VarChar, max_length: 64 },
    { name: 'knowledge_id', data_type: DataType.VarChar, max_length: 64, is_partition_key: true },
    { name: 'segment_id', data_type: DataType.VarChar, max_length: 64 },
    { name: 'document_id', data_type: DataType.VarChar, max_length: 64 },
    { name: 'text', data_type: DataType.VarChar, max_length: TEXT_MAX_BYTES, enable_analyzer: true, analyzer_params: { type: 'standard' } },
    { name: 'sparse', data_type: DataType.SparseFloatVector },
  ];
  const index_params = [{ field_name: 'sparse', index_type: 'SPARSE_INVERTED_INDEX', metric_type: 'BM25' }];
  if (dimensions !== null) {
    fields.push({ name: 'dense', data_type: DataType.FloatVector, dim: dimensions });
    index_params.push({ field_name: 'dense', index_type: 'HNSW', metric_type: 'COSINE', params: { M: 16, efConstruction: 200 } } as (typeof index_params)[number]);
  }
  return {
    collection_name: name,
    fields,
    functions: [{ name: 'text_bm25', type: FunctionType.BM25, input_field_names: ['text'], output_field_names: ['sparse'], params: {} }],
    index_params,
    consistency_level: 'Strong' as const,
  };
}

/** BM25 scores have no upper bound; s / (s + FULL_TEXT_HALF_SCORE) keeps their order within 0..1. */
function fullTextScore(raw: number): number {
  // Milvus Lite reports BM25 as a distance (negated score); Milvus as the score.
  const s = Math.abs(raw);
  return s / (s + FULL_TEXT_HALF_SCORE);
}

function hits(results: Array<{ score: number; [field: string]: unknown }>, toScore: (raw: number) => number): VectorHit[] {
  return results
    .map((r) => ({ id: String(r.segment_id), documentId: String(r.document_id), score: clamp01(toScore(r.score)) }))
    .sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

function clamp01(x: number): number {
  return Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 0;
}

/** The longest start of `text` that is at most `max` bytes of UTF-8, cut between characters. */
function fitBytes(text: string, max: number): string {
  if (Buffer.byteLength(text, 'utf8') <= max) return text;
  let bytes = 0;
  let end = 0;
  for (const ch of text) {
    const size = Buffer.byteLength(ch, 'utf8');
    if (bytes + size > max) break;
    bytes += size;
    end += ch.length;
  }
  return text.slice(0, end);
}
