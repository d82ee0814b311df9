import { gzipSync } from 'node:zlib';
import { measureValue } from '@weft/domain';
import { helloGraph } from '../fixtures/graphs';
import { httpClient, publishGraph, resetDatabase, startHarness, type ApiClient, type Harness } from '../support/harness';

// Issue 7, item 9: each of these answered 500. No worker: nothing here may start a run.
let h: Harness;
let api: ApiClient;
let key: string;

beforeAll(async () => {
  h = await startHarness('hygiene');
  await resetDatabase(h.prisma);
  key = await h.key('acme');
  api = httpClient(h.url, key);
});
afterAll(async () => {
  await h.close();
});

/** `levels` nested arrays or objects as raw JSON text, never built as a value on this side. */
const deepArray = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;
const deepObject = (levels: number) => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;

async function expect400(r: { status: number; body: { code: string; details?: { path?: unknown[] } } }, code: string, path?: unknown[]) {
  expect({ status: r.status, code: r.body.code }).toEqual({ status: 400, code });
  if (path) expect(r.body.details?.path).toEqual(path);
}

async function stillServing() {
  expect((await api('GET', '/health/live')).status).toBe(200);
  expect((await api('GET', '/v1/workflows')).status).toBe(200);
}

describe('strings PostgreSQL cannot store', () => {
  it.each([
    ['U+0000', 'a\u0000b'],
    ['a lone high surrogate', 'a\ud800b'],
    ['a lone low surrogate', '\udc00'],
  ])('refuses %s in a name, a graph string and a key, with where it is', async (_what, bad) => {
    await expect400(await api('POST', '/v1/workflows', { name: bad, graph: helloGraph() }), 'request_invalid_text', ['body', 'name']);
    const graph = helloGraph();
    graph.nodes[1]!.data = { template: `Hello ${bad}` };
    await expect400(await api('POST', '/v1/workflows', { name: 'x', graph }), 'request_invalid_text', ['body', 'graph', 'nodes', 1, 'data', 'template']);
    const keyed = { ...helloGraph(), inputs: { [bad]: { type: 'string' } } };
    await expect400(await api('POST', '/v1/workflows', { name: 'x', graph: keyed }), 'request_invalid_text', ['body', 'graph', 'inputs', bad]);
    expect(await h.prisma.workflow.count()).toBe(0);
  });

  it('refuses them in run inputs, query filters and path ids', async () => {
    const id = await publishGraph(api, helloGraph(), 'clean');
    await expect400(await api('POST', `/v1/workflows/${id}/runs`, { inputs: { name: 'x\u0000' } }), 'request_invalid_text', ['body', 'inputs', 'name']);
    await expect400(await api('POST', `/v1/workflows/${id}/runs`, { inputs: { name: '\ud83d' } }), 'request_invalid_text', ['body', 'inputs', 'name']);
    await expect400(await api('GET', '/v1/workflows?name=%00'), 'request_invalid_text', ['query', 'name']);
    await expect400(await api('GET', '/v1/runs?workflowId=wf%00'), 'request_invalid_text', ['query', 'workflowId']);
    await expect400(await api('GET', '/v1/workflows/wf%00x'), 'request_invalid_text', ['params', 'id']);
    await expect400(await api('GET', '/v1/runs/run%00x/nodes'), 'request_invalid_text', ['params', 'id']);
    await expect400(await api('PUT', '/v1/workflows/wf%00x/draft', { graph: helloGraph() }), 'request_invalid_text', ['params', 'id']);
    // A surrogate can only reach a path percent-encoded, which is not valid UTF-8: the router refuses it.
    await expect400(await api('GET', '/v1/runs/%ED%A0%80'), 'request_invalid_text');
    await expect400(await api('GET', `/v1/workflows/${id}/versions/%ED%A0%80`), 'request_invalid_text');
    expect(await h.prisma.run.count()).toBe(0);
  });
});

describe('nesting', () => {
  it.each([126, 10_000, 100_000])('answers 400 request_too_deep for bodies %i levels deep, and the API keeps serving', async (levels) => {
    const graph = await api('POST', '/v1/workflows', `{"name":"deep","graph":{"dsl":"weft/v1","x":${deepObject(levels)}}}`);
    await expect400(graph, 'request_too_deep');
    expect((graph.body.details.path as unknown[]).slice(0, 3)).toEqual(['body', 'graph', 'x']);
    await expect400(await api('POST', '/v1/workflows/wf_x/validate', `{"graph":{"nodes":${deepArray(levels)}}}`), 'request_too_deep');
    await expect400(await api('POST', '/v1/workflows/wf_x/runs', `{"inputs":{"v":${deepArray(levels)}}}`), 'request_too_deep');
    await stillServing();
  });

  it('takes a graph of containers nested far deeper than real graphs are', async () => {
    // Iterations nested six deep, the innermost holding an llm node with a JSON schema: more than
    // the deepest graph of the suites (two nested iterations, test/workflows/containers.test.ts).
    const leaf = { id: 'ask', type: 'llm', data: { model: 'm', messages: [{ role: 'user', content: 'hi' }], responseFormat: { type: 'json', schema: { type: 'object', properties: { a: { type: 'array', items: { type: 'object', properties: { b: { type: 'string' } } } } } } } } };
    let inner: { nodes: unknown[]; edges: unknown[] } = { nodes: [{ id: 's6', type: 'start' }, leaf, { id: 'e6', type: 'end', data: { outputs: {} } }], edges: [{ source: 's6', target: 'ask' }, { source: 'ask', target: 'e6' }] };
    for (let level = 5; level >= 1; level--) {
      const it = { id: `it${level}`, type: 'iteration', data: { items: level === 1 ? '{{ start.rows }}' : `{{ it${level - 1}.item }}`, graph: inner } };
      inner = { nodes: [{ id: `s${level}`, type: 'start' }, it, { id: `e${level}`, type: 'end', data: { outputs: {} } }], edges: [{ source: `s${level}`, target: it.id }, { source: it.id, target: `e${level}` }] };
    }
    const outer = { id: 'it0', type: 'iteration', data: { items: '{{ start.rows }}', graph: inner } };
    const graph = { dsl: 'weft/v1', inputs: { rows: { type: 'array', required: true } }, nodes: [{ id: 'start', type: 'start' }, outer, { id: 'end', type: 'end', data: { outputs: {} } }], edges: [{ source: 'start', target: 'it0' }, { source: 'it0', target: 'end' }] };
    const depth = measureValue({ name: 'nested', graph }, { maxDepth: 1_000 }).depth;
    expect(depth).toBeGreaterThan(30);
    expect(depth).toBeLessThan(64);
    const created = await api('POST', '/v1/workflows', { name: 'nested', graph });
    expect(created.status).toBe(201);
  });
});

describe('keys that would set a prototype', () => {
  it('answers 400 request_forbidden_key for __proto__ anywhere', async () => {
    const graph = JSON.stringify(helloGraph()).replace('"inputs":{', '"inputs":{"__proto__":{"type":"string"},');
    await expect400(await api('POST', '/v1/workflows', `{"name":"p","graph":${graph}}`), 'request_forbidden_key', ['body', 'graph', 'inputs', '__proto__']);
    await expect400(await api('POST', '/v1/workflows/wf_x/runs', '{"inputs":{"__proto__":{"polluted":true}}}'), 'request_forbidden_key', ['body', 'inputs', '__proto__']);
    await expect400(await api('GET', '/v1/workflows?__proto__=x'), 'request_forbidden_key', ['query', '__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('integers that reach integer columns', () => {
  it('refuses versions above 2^31-1 in the path and the body, and pages beyond the limit', async () => {
    const id = await publishGraph(api, helloGraph(), 'versions');
    await expect400(await api('GET', `/v1/workflows/${id}/versions/2147483648`), 'malformed_request');
    await expect400(await api('GET', `/v1/workflows/${id}/versions/1e300`), 'malformed_request');
    expect((await api('GET', `/v1/workflows/${id}/versions/2147483647`)).status).toBe(404);
    await expect400(await api('POST', `/v1/workflows/${id}/runs`, { inputs: { name: 'x' }, version: 2147483648 }), 'malformed_request');
    expect((await api('POST', `/v1/workflows/${id}/runs`, { inputs: { name: 'x' }, version: 2147483647 })).status).toBe(404);
    await expect400(await api('GET', '/v1/workflows?page=1000001'), 'malformed_request');
    await expect400(await api('GET', '/v1/runs?page=99999999999999999999'), 'malformed_request');
    await expect400(await api('GET', `/v1/runs?createdAfter=${encodeURIComponent('0000-06-01T00:00:00Z')}`), 'malformed_request');
    const subGraph = { ...helloGraph(), nodes: [...helloGraph().nodes, { id: 'child', type: 'sub-workflow', data: { workflowId: id, version: 2 ** 31 } }] };
    expect((await api('POST', '/v1/workflows', { name: 'sub', graph: subGraph })).body.code).toBe('workflow_invalid_graph');
  });
});

describe('Content-Encoding', () => {
  const post = (body: Buffer | string, encoding: string) =>
    fetch(`${h.url}/v1/workflows`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'content-encoding': encoding },
      body,
    }).then(async (r) => ({ status: r.status, body: (await r.json()) as { code: string } }));
  const json = JSON.stringify({ name: 'zipped', graph: helloGraph() });

  it('answers 400 request_encoding_invalid when the body is not in the encoding it claims', async () => {
    for (const encoding of ['gzip', 'deflate', 'br']) {
      await expect400(await post(json, encoding), 'request_encoding_invalid');
    }
    await stillServing();
  });

  it('counts the body limit after decompression: a small gzip of a huge body is 413', async () => {
    const huge = JSON.stringify({ name: 'bomb', graph: { dsl: 'weft/v1', pad: ' '.repeat(3 * 1024 * 1024) } });
    const zipped = gzipSync(huge);
    expect(zipped.length).toBeLessThan(64 * 1024);
    expect(await post(zipped, 'gzip')).toEqual({ status: 413, body: expect.objectContaining({ code: 'payload_too_large' }) });
    await stillServing();
  });

  it('answers 415 for an encoding it does not read, and reads a real gzip body', async () => {
    const unsupported = await post(json, 'compress');
    expect(unsupported).toEqual({ status: 415, body: expect.objectContaining({ code: 'request_encoding_unsupported' }) });
    const zipped = await post(gzipSync(json), 'gzip');
    expect(zipped.status).toBe(201);
  });
});
