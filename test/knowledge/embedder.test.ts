import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { Embedder, SecretCipher, cacheKey, createPrismaClient, decodeVector, type PrismaClient } from '@weft/activities';
import { expectNodeFailure } from '../support/expect-failure';
import { silentLogger } from '../support/harness';
import { createTenant } from '../support/ingestion-fixtures';
import { allowEntry } from '../support/llm-suite';
import { expectedVector, failNextEmbedding, startOpenAiServer, words, type OpenAiServer } from '../support/openai-server';
import { testEnv } from '../support/test-env';

// The embedder against the real PostgreSQL (its cache) and Redis (the breaker), with the local
// OpenAI-compatible server as the tenant's provider, reached through the real SDK and SSRF guard.
let prisma: PrismaClient;
let redis: Redis;
let server: OpenAiServer;
let embedder: Embedder;
const cipher = new SecretCipher(testEnv.encryptionKey);
const KEY = `sk-embed-${randomUUID()}`;
const f32 = (v: number[]) => v.map(Math.fround);

/** A tenant of its own, with the local model provider unless asked not to. */
const tenant = (withProvider = true): Promise<string> => createTenant(prisma, withProvider ? { url: server.url, apiKey: KEY } : undefined);

beforeAll(async () => {
  prisma = createPrismaClient(testEnv.databaseUrl, 2);
  redis = new Redis(testEnv.redisUrl, { maxRetriesPerRequest: 1 });
  server = await startOpenAiServer();
  embedder = new Embedder({
    prisma,
    redis,
    logger: silentLogger,
    cipher,
    breaker: { prefix: `weft-test-${randomUUID().slice(0, 8)}` },
    allowlist: [allowEntry(server)],
    batchSize: 3,
  });
});
afterAll(async () => {
  await server.close();
  await redis.quit();
  await prisma.$disconnect();
});
beforeEach(() => server.reset());

describe('Embedder', () => {
  it('embeds in batches, in input order, with the tenant key, and writes the cache', async () => {
    const t = await tenant();
    const texts = ['alpha beta', 'gamma', 'delta epsilon zeta', 'eta', 'theta iota', 'kappa', 'lambda'];
    const r = await embedder.embed(t, { model: 'embed-test', dimensions: 16 }, texts);
    expect(r.vectors).toEqual(texts.map((x) => f32(expectedVector(x, 16))));
    expect(r).toMatchObject({ cached: 0, embedded: 7, inputTokens: texts.reduce((n, x) => n + words(x), 0) });
    const calls = server.embeddingCalls();
    expect(calls.map((c) => c.body.input)).toEqual([texts.slice(0, 3), texts.slice(3, 6), texts.slice(6)]);
    expect(calls.every((c) => c.headers.authorization === `Bearer ${KEY}` && c.body.model === 'embed-test' && c.body.dimensions === 16)).toBe(true);

    const rows = await prisma.embeddingCache.findMany({ where: { tenantId: t } });
    expect(rows).toHaveLength(7);
    const row = rows.find((x) => x.key === cacheKey(server.url, 'embed-test', 16, 'gamma'))!;
    expect(row.vector.byteLength).toBe(16 * 4);
    expect(decodeVector(row.vector)).toEqual(f32(expectedVector('gamma', 16)));
  });

  it('sends only what the cache lacks, each distinct text once, and answers the same vectors', async () => {
    const t = await tenant();
    const settings = { model: 'embed-test', dimensions: 16 };
    const first = await embedder.embed(t, settings, ['one fish', 'two fish']);
    server.reset();
    const again = await embedder.embed(t, settings, ['two fish', 'one fish', 'two fish']);
    expect(server.embeddingCalls()).toHaveLength(0);
    expect(again).toEqual({ vectors: [first.vectors[1], first.vectors[0], first.vectors[1]], cached: 2, embedded: 0, inputTokens: 0 });

    const mixed = await embedder.embed(t, settings, ['red fish', 'one fish', 'red fish', 'blue fish']);
    expect(server.embeddingCalls().map((c) => c.body.input)).toEqual([['red fish', 'blue fish']]);
    expect(mixed).toMatchObject({ cached: 1, embedded: 2, inputTokens: 4 });
    expect(mixed.vectors).toEqual(['red fish', 'one fish', 'red fish', 'blue fish'].map((x) => f32(expectedVector(x, 16))));
  });

  it('keys the cache by tenant, model and dimensions: none of them shares another one\'s vectors', async () => {
    const a = await tenant();
    const b = await tenant();
    await embedder.embed(a, { model: 'embed-test', dimensions: 16 }, ['shared text']);
    server.reset();
    await embedder.embed(b, { model: 'embed-test', dimensions: 16 }, ['shared text']);
    await embedder.embed(a, { model: 'embed-test', dimensions: 32 }, ['shared text']);
    await embedder.embed(a, { model: 'embed-test' }, ['shared text']);
    await embedder.embed(a, { model: 'other-embed', dimensions: 16 }, ['shared text']);
    expect(server.embeddingCalls()).toHaveLength(4);
    expect(await prisma.embeddingCache.count({ where: { tenantId: a } })).toBe(4);
    expect(await prisma.embeddingCache.count({ where: { tenantId: b } })).toBe(1);
  });

  it('an empty list asks nothing, not even for a provider', async () => {
    const t = await tenant(false);
    expect(await embedder.embed(t, { model: 'embed-test' }, [])).toEqual({ vectors: [], cached: 0, embedded: 0, inputTokens: 0 });
  });

  it('no model provider, or not the one named: embedding_unavailable, not retryable', async () => {
    const none = await tenant(false);
    const f = await expectNodeFailure(embedder.embed(none, { model: 'embed-test' }, ['x']));
    expect([f.code, f.retryable]).toEqual(['embedding_unavailable', false]);
    expect(f.message).toMatch(/model provider/);
    const t = await tenant();
    const g = await expectNodeFailure(embedder.embed(t, { provider: 'missing', model: 'embed-test' }, ['x']));
    expect([g.code, g.retryable]).toEqual(['embedding_unavailable', false]);
    expect(g.message).toContain("'missing'");
    expect(server.requests).toHaveLength(0);
  });

  it('a vendor failure keeps its precise code and retryability, and never quotes the key', async () => {
    const t = await tenant();
    failNextEmbedding(server, { kind: 'error', status: 503, message: 'overloaded' });
    const down = await expectNodeFailure(embedder.embed(t, { model: 'embed-test' }, ['a']));
    expect([down.code, down.retryable]).toEqual(['llm_provider_error', true]);
    failNextEmbedding(server, { kind: 'error', status: 401, message: `Incorrect API key provided: ${KEY}` });
    const refused = await expectNodeFailure(embedder.embed(t, { model: 'embed-test' }, ['a']));
    expect([refused.code, refused.retryable]).toEqual(['llm_unauthorized', false]);
    expect(refused.message).not.toContain(KEY);
    expect(await prisma.embeddingCache.count({ where: { tenantId: t } })).toBe(0);
  });

  it('an answer that does not fit the request is embedding_failed (retryable), with nothing cached', async () => {
    const t = await tenant();
    const body = (data: unknown[]) => JSON.stringify({ object: 'list', data, model: 'embed-test', usage: { prompt_tokens: 1, total_tokens: 1 } });
    failNextEmbedding(server, { kind: 'raw', status: 200, contentType: 'application/json', body: body([{ object: 'embedding', index: 0, embedding: [0.1, 0.2] }]) });
    const short = await expectNodeFailure(embedder.embed(t, { model: 'embed-test' }, ['a', 'b']));
    expect([short.code, short.retryable]).toEqual(['embedding_failed', true]);
    expect(short.message).toContain('embed-test');
    failNextEmbedding(server, { kind: 'raw', status: 200, contentType: 'application/json', body: body([{ object: 'embedding', index: 0, embedding: [0.1, 0.2] }]) });
    const wide = await expectNodeFailure(embedder.embed(t, { model: 'embed-test', dimensions: 4 }, ['a']));
    expect(wide.code).toBe('embedding_failed');
    expect(wide.message).toMatch(/2 dimensions where 4/);
    expect(await prisma.embeddingCache.count({ where: { tenantId: t } })).toBe(0);
  });
});
