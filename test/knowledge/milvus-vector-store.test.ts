import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { MilvusVectorStore, type KnowledgeRef, type VectorHit, type VectorRecord } from '@weft/activities';
import { startCutProxy } from '../support/cut-proxy';
import { expectNodeFailure } from '../support/expect-failure';
import { eventually } from '../support/harness';
import { expectedVector } from '../support/openai-server';
import { testEnv } from '../support/test-env';

// The Milvus adapter against the Milvus Lite that `npm test` starts (MILVUS_ADDRESS). Every test
// uses tenants and knowledges of its own: the collections are shared, as in production.
const DIMS = 64;
const store = new MilvusVectorStore({ address: testEnv.milvusAddress });
afterAll(() => store.close());

const id = (prefix: string) => `${prefix}_${randomUUID().replace(/-/g, '')}`;
const highQuality = (tenantId = id('tn')): KnowledgeRef => ({ tenantId, knowledgeId: id('kb'), dimensions: DIMS });
const economy = (tenantId = id('tn')): KnowledgeRef => ({ tenantId, knowledgeId: id('kb'), dimensions: null });
const record = (segment: string, documentId: string, text: string): VectorRecord => ({ id: segment, documentId, text, dense: expectedVector(text, DIMS) });

const TEXTS = {
  apples: 'red apples are sweet and crunchy',
  engines: 'diesel engines burn fuel under high compression',
  rivers: 'rivers carry water from mountains to the sea',
  bread: 'fresh bread from the bakery smells of yeast',
};
/** Four segments in two documents; the segment ids are the same in every knowledge on purpose. */
const batch = (docs = { a: 'doc_a', b: 'doc_b' }): VectorRecord[] => [
  record('seg_1', docs.a, TEXTS.apples),
  record('seg_2', docs.a, TEXTS.engines),
  record('seg_3', docs.b, TEXTS.rivers),
  record('seg_4', docs.b, TEXTS.bread),
];

function expectWellFormed(hits: VectorHit[]) {
  for (const h of hits) {
    expect(h.score).toBeGreaterThanOrEqual(0);
    expect(h.score).toBeLessThanOrEqual(1);
  }
  expect(hits.map((h) => h.score)).toEqual([...hits.map((h) => h.score)].sort((a, b) => b - a));
}

describe('MilvusVectorStore on Milvus Lite', () => {
  it('ensures a knowledge twice, and an unknown knowledge holds nothing', async () => {
    const ref = highQuality();
    await store.ensureKnowledge(ref);
    await store.ensureKnowledge(ref);
    await store.ensureKnowledge(economy());
    expect(await store.count(ref)).toBe(0);
    expect(await store.search(ref, { mode: 'hybrid', query: 'apples', vector: expectedVector('apples', DIMS), topK: 5 })).toEqual([]);
  });

  it('creates a collection once when two processes ensure it at the same moment', async () => {
    // Dimensions no other test uses: the collection does not exist yet.
    const refs = [0, 1, 2].map(() => ({ ...highQuality(), dimensions: 17 }));
    const stores = refs.map(() => new MilvusVectorStore({ address: testEnv.milvusAddress }));
    try {
      await Promise.all(stores.map((s, i) => s.ensureKnowledge(refs[i]!)));
      const vector = Array.from({ length: 17 }, (_, i) => (i === 3 ? 1 : 0));
      await Promise.all(stores.map((s, i) => s.upsert(refs[i]!, [{ id: 'seg_1', documentId: 'doc_a', text: 'one', dense: vector }])));
      expect(await Promise.all(refs.map((ref) => store.count(ref)))).toEqual([1, 1, 1]);
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });

  it('writes the same batch twice and holds it once', async () => {
    const ref = highQuality();
    await store.ensureKnowledge(ref);
    await store.upsert(ref, batch());
    await store.upsert(ref, batch());
    expect(await store.count(ref)).toBe(4);
    expect(await store.count(ref, 'doc_a')).toBe(2);
    // A record written again with new text replaces the old one: the search finds the new words.
    await store.upsert(ref, [record('seg_3', 'doc_b', 'volcanoes erupt molten lava')]);
    expect(await store.count(ref)).toBe(4);
    const hits = await store.search(ref, { mode: 'full-text', query: 'volcanoes lava', topK: 4 });
    expect(hits.map((h) => h.id)).toEqual(['seg_3']);
    expect(await store.search(ref, { mode: 'full-text', query: 'rivers mountains', topK: 4 })).toEqual([]);
  });

  it('finds the nearest segment densely, by full text and by both, with scores in 0..1 best first', async () => {
    const ref = highQuality();
    await store.upsert(ref, batch());
    const query = 'sweet red apples';
    const dense = await store.search(ref, { mode: 'dense', query, vector: expectedVector(query, DIMS), topK: 4 });
    const fullText = await store.search(ref, { mode: 'full-text', query, topK: 4 });
    const hybrid = await store.search(ref, { mode: 'hybrid', query, vector: expectedVector(query, DIMS), topK: 4 });
    for (const hits of [dense, fullText, hybrid]) {
      expect(hits[0]).toMatchObject({ id: 'seg_1', documentId: 'doc_a' });
      expectWellFormed(hits);
    }
    expect(dense).toHaveLength(4);
    expect(dense[0]!.score).toBeGreaterThan(0.5);
    // Full text matches only segments that hold a query word.
    expect(fullText.map((h) => h.id)).toEqual(['seg_1']);
    expect(fullText[0]!.score).toBeGreaterThan(0);
    // First in both legs: the best a hybrid hit can be.
    expect(hybrid[0]!.score).toBeCloseTo(1, 6);
    expect(new Set(hybrid.map((h) => h.id)).size).toBe(hybrid.length);

    const engines = await store.search(ref, { mode: 'full-text', query: 'compression of diesel', topK: 1 });
    expect(engines.map((h) => h.id)).toEqual(['seg_2']);
  });

  it('limits a search to the documents asked for', async () => {
    const ref = highQuality();
    await store.upsert(ref, batch());
    const query = 'red apples and fresh bread';
    const only = await store.search(ref, { mode: 'hybrid', query, vector: expectedVector(query, DIMS), topK: 10, documentIds: ['doc_b'] });
    expect(only.length).toBeGreaterThan(0);
    expect(new Set(only.map((h) => h.documentId))).toEqual(new Set(['doc_b']));
    expect(only[0]!.id).toBe('seg_4');
    expect(await store.search(ref, { mode: 'full-text', query, topK: 10, documentIds: [] })).toEqual([]);
    expect(await store.search(ref, { mode: 'full-text', query, topK: 10, documentIds: ['doc_none'] })).toEqual([]);
  });

  it('deletes a document, some ids, and a whole knowledge', async () => {
    const ref = highQuality();
    await store.upsert(ref, batch());
    await store.deleteDocument(ref, 'doc_a');
    await store.deleteDocument(ref, 'doc_a');
    expect(await store.count(ref)).toBe(2);
    expect(await store.count(ref, 'doc_a')).toBe(0);
    const query = 'red apples diesel engines';
    const hits = await store.search(ref, { mode: 'hybrid', query, vector: expectedVector(query, DIMS), topK: 10 });
    expect(hits.map((h) => h.id).sort()).toEqual(['seg_3', 'seg_4']);

    await store.deleteIds(ref, ['seg_3', 'seg_missing']);
    expect((await store.search(ref, { mode: 'dense', query, vector: expectedVector(query, DIMS), topK: 10 })).map((h) => h.id)).toEqual(['seg_4']);

    await store.dropKnowledge(ref);
    expect(await store.count(ref)).toBe(0);
    // Nothing left to drop, and a knowledge that never held anything: both fine.
    await store.dropKnowledge(ref);
    await store.dropKnowledge(economy());
  });

  it('keeps tenants and knowledges apart even when every segment and document id is the same', async () => {
    const tenant = id('tn');
    const mine = highQuality(tenant);
    const sibling = highQuality(tenant);
    const other = { ...highQuality(), knowledgeId: mine.knowledgeId };
    await store.upsert(mine, batch());
    await store.upsert(sibling, [record('seg_1', 'doc_a', 'quantum physics lectures')]);
    await store.upsert(other, [record('seg_1', 'doc_a', 'jazz saxophone solos')]);

    expect(await store.count(mine)).toBe(4);
    expect(await store.count(sibling)).toBe(1);
    expect(await store.count(other)).toBe(1);
    for (const [ref, query] of [
      [mine, 'quantum physics jazz saxophone'],
      [sibling, 'red apples'],
      [other, 'red apples quantum'],
    ] as const) {
      const vector = expectedVector(query, DIMS);
      expect(await store.search(ref, { mode: 'full-text', query, topK: 10 })).toEqual([]);
      const dense = await store.search(ref, { mode: 'dense', query, vector, topK: 10 });
      expect(dense.length).toBe(await store.count(ref));
    }
    const theirs = await store.search(other, { mode: 'full-text', query: 'saxophone', topK: 10 });
    expect(theirs.map((h) => h.id)).toEqual(['seg_1']);

    await store.deleteDocument(sibling, 'doc_a');
    await store.dropKnowledge(other);
    expect(await store.count(mine)).toBe(4);
    expect(await store.count(mine, 'doc_a')).toBe(2);
    expect(await store.count(sibling)).toBe(0);
  });

  it('answers full-text for economy knowledge whatever mode is asked', async () => {
    const ref = economy();
    await store.upsert(
      ref,
      batch().map(({ dense: _dense, ...rest }) => rest),
    );
    await store.upsert(ref, batch());
    expect(await store.count(ref)).toBe(4);
    for (const mode of ['dense', 'full-text', 'hybrid'] as const) {
      const hits = await store.search(ref, { mode, query: 'yeast bakery', topK: 3 });
      expect(hits.map((h) => h.id)).toEqual(['seg_4']);
      expectWellFormed(hits);
    }
  });

  it('refuses vectors that do not fit the knowledge, and ids outside the id alphabet', async () => {
    const ref = highQuality();
    const misfit = await expectNodeFailure(store.upsert(ref, [{ ...record('seg_1', 'doc_a', 'x'), dense: [1, 0, 0] }]));
    expect([misfit.code, misfit.retryable]).toEqual(['vector_invalid', false]);
    expect(misfit.message).toContain('3 dimensions');
    expect((await expectNodeFailure(store.upsert(ref, [{ id: 'seg_1', documentId: 'doc_a', text: 'x' }]))).code).toBe('vector_invalid');
    expect((await expectNodeFailure(store.upsert(ref, [{ ...record('seg_1', 'doc_a', 'x'), dense: expectedVector('x', DIMS).map((v, i) => (i ? v : NaN)) }]))).code).toBe('vector_invalid');
    expect((await expectNodeFailure(store.search(ref, { mode: 'dense', query: 'x', topK: 1 }))).code).toBe('vector_invalid');
    expect((await expectNodeFailure(store.search(ref, { mode: 'hybrid', query: 'x', vector: [1, 2], topK: 1 }))).code).toBe('vector_invalid');

    const injected = ['doc_a" or tenant_id != "', 'doc a', '', 'x'.repeat(65)];
    for (const bad of injected) {
      await expect(store.deleteDocument(ref, bad)).rejects.toThrow(RangeError);
      await expect(store.upsert(ref, [record(bad, 'doc_a', 'x')])).rejects.toThrow(RangeError);
      await expect(store.search(ref, { mode: 'full-text', query: 'x', topK: 1, documentIds: [bad] })).rejects.toThrow(RangeError);
      await expect(store.count({ ...ref, tenantId: bad })).rejects.toThrow(RangeError);
    }
    for (const topK of [0, 101, 1.5]) await expect(store.search(ref, { mode: 'full-text', query: 'x', topK })).rejects.toThrow(RangeError);
  });

  it('writes concurrently into one collection without losing a record', async () => {
    const refs = [highQuality(), highQuality(), highQuality()];
    const writes = refs.flatMap((ref) =>
      Array.from({ length: 4 }, (_, n) => store.upsert(ref, Array.from({ length: 25 }, (_, i) => record(`seg_${n}_${i}`, `doc_${n}`, `${TEXTS.rivers} ${n} ${i}`)))),
    );
    await Promise.all(writes);
    expect(await Promise.all(refs.map((ref) => store.count(ref)))).toEqual([100, 100, 100]);
  });

  it('fails with vector_store_unavailable when nothing listens, and works once Milvus answers there', async () => {
    const port = await freePort();
    const ref = highQuality();
    const offline = new MilvusVectorStore({ address: `127.0.0.1:${port}`, timeoutMs: 5_000 });
    try {
      for (const attempt of [offline.ensureKnowledge(ref), offline.count(ref), offline.ping()]) {
        const f = await expectNodeFailure(attempt);
        expect([f.code, f.retryable, f.message]).toEqual(['vector_store_unavailable', true, 'The vector store is unavailable; try again']);
      }
      // Milvus comes up at that address (a forwarder to the test's Milvus): the same store recovers,
      // once gRPC tries that address again (as a node's retries would find it).
      const [host, target] = testEnv.milvusAddress.split(':') as [string, string];
      const forwarder = await startCutProxy({ host, port: Number(target) }, port);
      try {
        await eventually(() => offline.ping().then(() => true, () => false), 20_000);
        await offline.upsert(ref, batch());
        expect(await offline.count(ref)).toBe(4);
      } finally {
        await forwarder.close();
      }
    } finally {
      await offline.close();
    }
    await expect(offline.count(ref)).rejects.toThrow('closed');
  });
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
