import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';
import { Embedder, MilvusVectorStore, RetrievalService, SecretCipher, createPrismaClient, type PrismaClient } from '@weft/activities';
import { expectNodeFailure } from '../support/expect-failure';
import { silentLogger } from '../support/harness';
import { createTenant } from '../support/ingestion-fixtures';
import { CORPUS, seedKnowledge, type SeededKnowledge } from '../support/knowledge-seed';
import { allowEntry } from '../support/llm-suite';
import { startOpenAiServer, type OpenAiServer } from '../support/openai-server';
import { testEnv } from '../support/test-env';

// The retrieval service against the real PostgreSQL, Redis and Milvus Lite; the model provider is
// the local OpenAI-compatible server, whose embeddings put texts that share words near each other.
let prisma: PrismaClient;
let redis: Redis;
let server: OpenAiServer;
let vectors: MilvusVectorStore;
let embedder: Embedder;
let retrieval: RetrievalService;
const cipher = new SecretCipher(testEnv.encryptionKey);
const EMBEDDING = { model: 'embed-test', dimensions: 256 };

let tenant: string;
let other: string;
let hq: SeededKnowledge;
let economy: SeededKnowledge;

/** A tenant of its own, with the local model provider unless asked not to. */
const newTenant = (withProvider: boolean): Promise<string> => createTenant(prisma, withProvider ? { url: server.url, apiKey: 'sk-test' } : undefined);

const docOf = (k: SeededKnowledge, name: string) => k.documents.find((d) => d.name === name)!.id;

beforeAll(async () => {
  prisma = createPrismaClient(testEnv.databaseUrl, 2);
  redis = new Redis(testEnv.redisUrl, { maxRetriesPerRequest: 1 });
  server = await startOpenAiServer();
  vectors = new MilvusVectorStore({ address: testEnv.milvusAddress });
  embedder = new Embedder({ prisma, redis, logger: silentLogger, cipher, breaker: { prefix: `weft-test-${randomUUID().slice(0, 8)}` }, allowlist: [allowEntry(server)] });
  retrieval = new RetrievalService({ prisma, vectors, embedder });
  tenant = await newTenant(true);
  other = await newTenant(true);
  hq = await seedKnowledge({ prisma, vectors, embedder }, { tenantId: tenant, indexing: 'high-quality', embedding: EMBEDDING, documents: CORPUS });
  // No model provider at all in this tenant: economy needs none.
  const poor = await newTenant(false);
  economy = await seedKnowledge({ prisma, vectors, embedder }, { tenantId: poor, indexing: 'economy', documents: CORPUS });
}, 120_000);
afterAll(async () => {
  await vectors.close();
  await server.close();
  await redis.quit();
  await prisma.$disconnect();
});
beforeEach(() => server.reset());

describe('RetrievalService', () => {
  it.each(['dense', 'full-text', 'hybrid'] as const)('%s: the document about the query comes first, with its text, name and position', async (mode) => {
    const r = await retrieval.retrieve({ tenantId: tenant, knowledgeIds: [hq.knowledgeId], query: 'how do I reset a forgotten password', topK: 3, mode });
    expect(r.results.length).toBeGreaterThan(0);
    const [best] = r.results;
    expect(best).toMatchObject({ knowledgeId: hq.knowledgeId, documentId: docOf(hq, 'passwords.md'), metadata: { documentName: 'passwords.md', position: 0 } });
    expect(best!.content).toBe('To reset a forgotten password, click the reset link on the sign-in page.');
    expect(r.results.every((x) => x.score >= 0 && x.score <= 1)).toBe(true);
    expect(r.results.map((x) => x.score)).toEqual([...r.results.map((x) => x.score)].sort((a, b) => b - a));
    expect(r.searched).toEqual([{ knowledgeId: hq.knowledgeId, indexing: 'high-quality', mode }]);
    // Full-text needs no embedding of the query; the others embed it once.
    expect(server.embeddingCalls().length).toBeLessThanOrEqual(mode === 'full-text' ? 0 : 1);
  });

  it('hybrid is the default for high-quality knowledge', async () => {
    const r = await retrieval.retrieve({ tenantId: tenant, knowledgeIds: [hq.knowledgeId], query: 'weft threads of a loom', topK: 2 });
    expect(r.searched[0]!.mode).toBe('hybrid');
    expect(r.results[0]!.documentId).toBe(docOf(hq, 'weaving.md'));
  });

  it("a model that sets its own vector size: every mode finds the knowledge's vectors", async () => {
    const k = await seedKnowledge({ prisma, vectors, embedder }, { tenantId: tenant, indexing: 'high-quality', embedding: { model: 'embed-test' }, documents: CORPUS });
    for (const mode of ['dense', 'full-text', 'hybrid'] as const) {
      const r = await retrieval.retrieve({ tenantId: tenant, knowledgeIds: [k.knowledgeId], query: 'credit card payment methods', topK: 1, mode });
      expect({ mode, doc: r.results[0]?.metadata.documentName }).toEqual({ mode, doc: 'billing.md' });
    }
  });

  it('a model that sets its own size: full-text embeds no query, a knowledge with nothing indexed answers none, a changed size is vector_invalid', async () => {
    const k = await seedKnowledge({ prisma, vectors, embedder }, { tenantId: tenant, indexing: 'high-quality', embedding: { model: 'embed-test' }, documents: CORPUS });
    server.reset();
    // The size its indexing recorded finds its vectors: the provider is not asked (nor needed).
    const r = await retrieval.retrieve({ tenantId: tenant, knowledgeIds: [k.knowledgeId], query: 'credit card payment methods', topK: 1, mode: 'full-text' });
    expect(r.results[0]?.metadata.documentName).toBe('billing.md');
    expect(server.embeddingCalls()).toHaveLength(0);
    // Nothing indexed yet: no vectors to find, and no embedding paid for in any mode.
    const empty = await prisma.knowledge.create({ data: { id: `kb_${randomUUID().replace(/-/g, '')}`, tenantId: tenant, name: `empty-${randomUUID()}`, indexing: 'high-quality', embedding: { model: 'embed-test' }, chunking: {} } });
    for (const mode of ['dense', 'full-text', 'hybrid'] as const) {
      expect((await retrieval.retrieve({ tenantId: tenant, knowledgeIds: [empty.id], query: 'anything', topK: 3, mode })).results).toEqual([]);
    }
    expect(server.embeddingCalls()).toHaveLength(0);
    // The model now answers vectors of another size: a plain failure, not a silent search of another collection.
    await prisma.knowledge.update({ where: { id: k.knowledgeId }, data: { vectorDimensions: 7 } });
    const f = await expectNodeFailure(retrieval.retrieve({ tenantId: tenant, knowledgeIds: [k.knowledgeId], query: 'credit card', topK: 1, mode: 'dense' }));
    expect(f.code).toBe('vector_invalid');
    expect(f.message).toContain('the knowledge holds 7');
  });

  it('honours topK and scoreThreshold', async () => {
    const query = 'reset password link';
    const all = await retrieval.retrieve({ tenantId: tenant, knowledgeIds: [hq.knowledgeId], query, topK: 10, mode: 'dense' });
    expect(all.results.length).toBeGreaterThan(2);
    const two = await retrieval.retrieve({ tenantId: tenant, knowledgeIds: [hq.knowledgeId], query, topK: 2, mode: 'dense' });
    expect(two.results.map((x) => x.segmentId)).toEqual(all.results.slice(0, 2).map((x) => x.segmentId));
    // A threshold between the best score and the rest keeps only what is above it.
    const cut = (all.results[0]!.score + all.results.at(-1)!.score) / 2;
    const above = await retrieval.retrieve({ tenantId: tenant, knowledgeIds: [hq.knowledgeId], query, topK: 10, mode: 'dense', scoreThreshold: cut });
    expect(above.results.length).toBeGreaterThan(0);
    expect(above.results.length).toBeLessThan(all.results.length);
    expect(above.results.every((x) => x.score >= cut)).toBe(true);
    // Above the best score: nothing is close enough.
    expect(all.results[0]!.score).toBeLessThan(0.99);
    const none = await retrieval.retrieve({ tenantId: tenant, knowledgeIds: [hq.knowledgeId], query, topK: 10, mode: 'dense', scoreThreshold: all.results[0]!.score + 0.01 });
    expect(none.results).toEqual([]);
  });

  it('searches several knowledges at once and says which one each result came from', async () => {
    const billing = await seedKnowledge({ prisma, vectors, embedder }, { tenantId: tenant, indexing: 'economy', documents: [{ name: 'refunds.md', text: 'Refunds of an invoice are paid back to the credit card within ten days.' }] });
    const r = await retrieval.retrieve({ tenantId: tenant, knowledgeIds: [hq.knowledgeId, billing.knowledgeId], query: 'credit card invoice', topK: 10, mode: 'hybrid' });
    const from = new Set(r.results.map((x) => x.knowledgeId));
    expect(from).toEqual(new Set([hq.knowledgeId, billing.knowledgeId]));
    expect(r.results.find((x) => x.knowledgeId === billing.knowledgeId)!.metadata.documentName).toBe('refunds.md');
    expect(r.results.filter((x) => x.knowledgeId === hq.knowledgeId).every((x) => x.documentId !== docOf(hq, 'weaving.md') || x.score < r.results[0]!.score)).toBe(true);
    expect(r.searched).toEqual([
      { knowledgeId: hq.knowledgeId, indexing: 'high-quality', mode: 'hybrid' },
      { knowledgeId: billing.knowledgeId, indexing: 'economy', mode: 'full-text', note: expect.stringContaining('full-text instead of hybrid') },
    ]);
  });

  it('an economy knowledge answers full-text with no model provider in its tenant, whatever mode is asked', async () => {
    const tenantOf = (await prisma.knowledge.findUniqueOrThrow({ where: { id: economy.knowledgeId } })).tenantId;
    const r = await retrieval.retrieve({ tenantId: tenantOf, knowledgeIds: [economy.knowledgeId], query: 'weft thread', topK: 2, mode: 'dense' });
    expect(r.results[0]).toMatchObject({ documentId: docOf(economy, 'weaving.md'), metadata: { documentName: 'weaving.md' } });
    expect(r.searched[0]).toMatchObject({ mode: 'full-text', note: expect.stringContaining('instead of dense') });
    expect(server.requests).toHaveLength(0);
  });

  it("another tenant's knowledge, or one that does not exist, is knowledge_not_found (not retryable), and nothing is searched", async () => {
    const f = await expectNodeFailure(retrieval.retrieve({ tenantId: other, knowledgeIds: [hq.knowledgeId], query: 'password', topK: 3 }));
    expect([f.code, f.retryable]).toEqual(['knowledge_not_found', false]);
    expect(f.message).toContain(hq.knowledgeId);
    const g = await expectNodeFailure(retrieval.retrieve({ tenantId: tenant, knowledgeIds: [hq.knowledgeId, 'kb_missing'], query: 'password', topK: 3 }));
    expect(g.code).toBe('knowledge_not_found');
    expect(server.requests).toHaveLength(0);
  });

  it('a segment gone from PostgreSQL is not returned, even while the vector store still holds it', async () => {
    const k = await seedKnowledge({ prisma, vectors, embedder }, { tenantId: tenant, indexing: 'economy', documents: [{ name: 'gone.md', text: 'zebra stripes' }, { name: 'kept.md', text: 'zebra crossing' }] });
    await prisma.knowledgeDocument.delete({ where: { id: docOf(k, 'gone.md') } });
    const r = await retrieval.retrieve({ tenantId: tenant, knowledgeIds: [k.knowledgeId], query: 'zebra', topK: 5 });
    expect(r.results.map((x) => x.metadata.documentName)).toEqual(['kept.md']);
  });

  it('a high-quality knowledge whose tenant has no model provider cannot embed the query: embedding_unavailable', async () => {
    const lonely = await newTenant(false);
    await prisma.knowledge.create({ data: { id: `kb_${randomUUID().replace(/-/g, '')}`, tenantId: lonely, name: 'hq', indexing: 'high-quality', embedding: EMBEDDING, chunking: {} } });
    const [k] = await prisma.knowledge.findMany({ where: { tenantId: lonely } });
    const f = await expectNodeFailure(retrieval.retrieve({ tenantId: lonely, knowledgeIds: [k!.id], query: 'anything', topK: 3 }));
    expect([f.code, f.retryable]).toEqual(['embedding_unavailable', false]);
    // Full-text needs no embedding: it still answers (nothing was indexed here).
    expect((await retrieval.retrieve({ tenantId: lonely, knowledgeIds: [k!.id], query: 'anything', topK: 3, mode: 'full-text' })).results).toEqual([]);
  });

  it('a vector store that cannot be reached is vector_store_unavailable (retryable)', async () => {
    // A loopback port nothing listens on: taken, then released.
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const down = new MilvusVectorStore({ address: `127.0.0.1:${port}`, timeoutMs: 2_000 });
    try {
      const f = await expectNodeFailure(new RetrievalService({ prisma, vectors: down, embedder }).retrieve({ tenantId: tenant, knowledgeIds: [hq.knowledgeId], query: 'password', topK: 3, mode: 'full-text' }));
      expect([f.code, f.retryable]).toEqual(['vector_store_unavailable', true]);
    } finally {
      await down.close();
    }
  });
});
