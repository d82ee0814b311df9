import { Embedder, MilvusVectorStore, SecretCipher } from '@weft/activities';
import { end, graph, start, type N } from '../support/graph-builder';
import { httpClient, resetDatabase, runGraph, silentLogger, startHarness, type ApiClient, type Harness } from '../support/harness';
import { CORPUS, seedKnowledge, type SeededKnowledge } from '../support/knowledge-seed';
import { allowEntry } from '../support/llm-suite';
import { failNextEmbedding, startOpenAiServer, type OpenAiServer } from '../support/openai-server';
import { testEnv } from '../support/test-env';

// The retrieve route and the knowledge-retrieval node end to end: the real API and worker (their
// own composition roots, built from config) over PostgreSQL, Redis, Temporal and Milvus Lite. The
// only fake is the model vendor: the local OpenAI-compatible server, allowlisted by port.
let h: Harness;
let server: OpenAiServer;
let vectors: MilvusVectorStore;
let worker: { stop(): Promise<void> };
let acme: ApiClient;
let globex: ApiClient;
let hq: SeededKnowledge;
let economy: SeededKnowledge;
let economyApi: ApiClient;
const EMBEDDING = { model: 'embed-test', dimensions: 256 };

const tenantId = async (name: string) => (await h.prisma.tenant.findUniqueOrThrow({ where: { name } })).id;
const retrieve = (api: ApiClient, id: string, body: unknown) => api('POST', `/v1/knowledge/${id}/retrieve`, body);

beforeAll(async () => {
  server = await startOpenAiServer();
  h = await startHarness('retrieve', { WEFT_MODEL_PROVIDER_ALLOWLIST: allowEntry(server) });
  await resetDatabase(h.prisma);
  worker = await h.startWorker();
  acme = httpClient(h.url, await h.key('acme'));
  globex = httpClient(h.url, await h.key('globex'));
  economyApi = httpClient(h.url, await h.key('initech'));
  for (const api of [acme, globex]) expect((await api('POST', '/v1/model-providers', { name: 'local', type: 'openai', baseUrl: server.url, apiKey: 'sk-test' })).status).toBe(201);

  vectors = new MilvusVectorStore({ address: testEnv.milvusAddress });
  const embedder = new Embedder({ prisma: h.prisma, redis: h.redis, logger: silentLogger, cipher: new SecretCipher(testEnv.encryptionKey), allowlist: [allowEntry(server)] });
  hq = await seedKnowledge({ prisma: h.prisma, vectors, embedder }, { tenantId: await tenantId('acme'), indexing: 'high-quality', embedding: EMBEDDING, documents: CORPUS });
  // initech has no model provider at all.
  economy = await seedKnowledge({ prisma: h.prisma, vectors, embedder }, { tenantId: await tenantId('initech'), indexing: 'economy', documents: CORPUS });
}, 120_000);
afterAll(async () => {
  await worker?.stop();
  await h?.close();
  await vectors?.close();
  await server?.close();
});
beforeEach(() => server.reset());

const docOf = (k: SeededKnowledge, name: string) => k.documents.find((d) => d.name === name)!.id;

describe('POST /v1/knowledge/:id/retrieve', () => {
  it('answers the segments closest to the query, best first', async () => {
    const res = await retrieve(acme, hq.knowledgeId, { query: 'I forgot my password: how do I reset it?', topK: 2 });
    expect(res.status).toBe(200);
    const { results, count, searched } = res.body.data;
    expect(count).toBe(results.length);
    expect(results.length).toBeLessThanOrEqual(2);
    expect(results[0]).toMatchObject({ knowledgeId: hq.knowledgeId, documentId: docOf(hq, 'passwords.md'), metadata: { documentName: 'passwords.md' } });
    expect(searched).toEqual([{ knowledgeId: hq.knowledgeId, indexing: 'high-quality', mode: 'hybrid' }]);
  });

  it('an economy knowledge answers full-text in a tenant with no model provider, and says so', async () => {
    const res = await retrieve(economyApi, economy.knowledgeId, { query: 'weft threads', topK: 1, mode: 'dense' });
    expect(res.status).toBe(200);
    expect(res.body.data.results[0].metadata.documentName).toBe('weaving.md');
    expect(res.body.data.searched[0]).toMatchObject({ mode: 'full-text', note: expect.stringContaining('instead of dense') });
    expect(server.requests).toHaveLength(0);
  });

  it("another tenant's knowledge answers 404, as one that does not exist", async () => {
    for (const [api, id] of [
      [globex, hq.knowledgeId],
      [acme, economy.knowledgeId],
      [acme, 'kb_nope'],
    ] as const) {
      const res = await retrieve(api, id, { query: 'password', topK: 3 });
      expect([res.status, res.body.code]).toEqual([404, 'knowledge_not_found']);
    }
    expect(server.requests).toHaveLength(0);
  });

  it('refuses a bad body with the issue list, a viewer with 403, and names a provider failure without internals', async () => {
    const bad = await retrieve(acme, hq.knowledgeId, { query: '', topK: 0, mode: 'fuzzy', extra: 1 });
    expect(bad.status).toBe(400);
    expect(bad.body.details.issues.map((i: { path: string[] }) => i.path.at(-1)).sort()).toEqual(expect.arrayContaining(['mode', 'query', 'topK']));
    const viewer = httpClient(h.url, await h.key('acme', 'viewer'));
    expect((await retrieve(viewer, hq.knowledgeId, { query: 'password' })).status).toBe(403);

    failNextEmbedding(server, { kind: 'error', status: 500, message: 'the GPU caught fire' });
    const failed = await retrieve(acme, hq.knowledgeId, { query: 'a question never asked before', topK: 3, mode: 'dense' });
    expect([failed.status, failed.body.code, failed.body.details]).toEqual([502, 'retrieval_failed', { cause: 'llm_provider_error' }]);
    expect(failed.body.message).toContain('the GPU caught fire');
    expect(JSON.stringify(failed.body)).not.toMatch(/stack|\/work\/|node_modules/);
  });
});

describe('the knowledge-retrieval node', () => {
  const askGraph = (knowledgeId: string) => {
    const search: N = { id: 'search', type: 'knowledge-retrieval', data: { knowledgeIds: [knowledgeId], query: '{{ start.q }}', topK: 1 }, retry: { maxAttempts: 3, initialInterval: '100ms' } };
    const ask: N = {
      id: 'ask',
      type: 'llm',
      data: { model: 'gpt-test', messages: [{ role: 'user', content: 'Context: {{ search.results.0.content }}\nQuestion: {{ start.q }}' }] },
    };
    return graph(
      [start, search, ask, end({ answer: '{{ ask.text }}', source: '{{ search.results.0.metadata.documentName }}', count: '{{ search.count }}' })],
      [
        ['start', 'search'],
        ['search', 'ask'],
        ['ask', 'end'],
      ],
      { q: { type: 'string', required: true } },
    );
  };

  it('feeds an llm node the right document, and the answer comes from it', async () => {
    const { run, nodes } = await runGraph(acme, askGraph(hq.knowledgeId), { q: 'How do I reset a forgotten password?' });
    expect(run.status).toBe('succeeded');
    expect(run.outputs).toMatchObject({ source: 'passwords.md', count: 1 });
    const sent = server.chats()[0]!.body.messages[0].content as string;
    expect(sent).toBe('Context: To reset a forgotten password, click the reset link on the sign-in page.\nQuestion: How do I reset a forgotten password?');
    expect(run.outputs.answer).toBe(`You said: ${sent}`);
    const node = nodes.find((n) => n.nodeId === 'search');
    expect(node.outputs.results[0]).toMatchObject({ knowledgeId: hq.knowledgeId, documentId: docOf(hq, 'passwords.md') });
  });

  it("fails with knowledge_not_found in a run of another tenant, at once and without calling any model", async () => {
    const { run, nodes } = await runGraph(globex, askGraph(hq.knowledgeId), { q: 'How do I reset a forgotten password?' });
    expect(run.status).toBe('failed');
    expect(run.error).toMatchObject({ code: 'knowledge_not_found', nodeId: 'search' });
    const node = nodes.find((n) => n.nodeId === 'search');
    expect(node.attempts).toHaveLength(1);
    expect(nodes.find((n) => n.nodeId === 'ask')?.status ?? 'not run').not.toBe('succeeded');
    expect(server.requests).toHaveLength(0);
  });
});
