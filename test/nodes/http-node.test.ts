import { createHttpExecutor } from '@weft/activities';
import { end, graph, start, type N } from '../support/graph-builder';
import { eventually, httpClient, resetDatabase, runGraph, startHarness, type Harness } from '../support/harness';
import { startHttpTarget, type HttpTarget } from '../support/http-target';

/**
 * The http-request node through real runs: the API starts them, the real worker runs the
 * interpreter and the real executor, which talks to a local server on 127.0.0.1. One worker
 * allows that server's port; another runs the default config, where it is refused.
 */
let target: HttpTarget;
let other: HttpTarget;
let allowing: Harness;
let strict: Harness;
let api: ReturnType<typeof httpClient>;
let strictApi: ReturnType<typeof httpClient>;

beforeAll(async () => {
  target = await startHttpTarget();
  other = await startHttpTarget();
  allowing = await startHarness('http-node');
  strict = await startHarness('http-node-default');
  await resetDatabase(allowing.prisma);
  await allowing.startWorker({ 'http-request': createHttpExecutor({ allowlist: [`127.0.0.1:${target.port}`] }) });
  await strict.startWorker({ 'http-request': createHttpExecutor() });
  api = httpClient(allowing.url, await allowing.key('acme'));
  strictApi = httpClient(strict.url, await strict.key('strict-co'));
});
afterAll(async () => {
  await allowing?.close();
  await strict?.close();
  await target?.close();
  await other?.close();
});

async function run(g: unknown, inputs: Record<string, unknown> = {}, client = api) {
  const { run: r, nodes } = await runGraph(client, g, inputs);
  return { run: r, nodes, node: (key: string) => nodes.find((n) => n.key === key) };
}

const http = (id: string, data: Record<string, unknown>, extra: Record<string, unknown> = {}): N => ({ id, type: 'http-request', data, ...extra });
/** start → the given nodes in a chain → end, with the end's outputs. */
const chain = (nodes: N[], outputs: Record<string, unknown>, inputs: Record<string, unknown> = {}) => {
  const ids = ['start', ...nodes.map((n) => n.id), 'end'];
  return graph([start, ...nodes, end(outputs)], ids.slice(1).map((id, i) => [ids[i]!, id] as [string, string]), inputs);
};
const attempts = (node: any) => node.attempts.map((a: any) => [a.attempt, a.status, a.error?.code ?? null]);
const lastSeen = (path: string) => [...target.seen].reverse().find((s) => s.path === path)!;

describe('requests', () => {
  it('sends GET with the query merged into the URL and the headers set', async () => {
    const g = chain(
      [http('fetch', { method: 'GET', url: target.url('/echo?fixed=1'), query: { q: '{{ start.term }}', n: 3 }, headers: { 'X-Trace': 'trace-{{ start.term }}' } })],
      { status: '{{ fetch.status }}', query: '{{ fetch.json.query }}', headers: '{{ fetch.headers }}' },
      { term: { type: 'string', required: true } },
    );
    const { run: r } = await run(g, { term: 'weft' });
    expect(r.status).toBe('succeeded');
    expect(r.outputs).toMatchObject({ status: 200, query: { fixed: '1', q: 'weft', n: '3' }, headers: { 'content-type': 'application/json' } });
    const seen = lastSeen('/echo');
    expect(seen.headers['x-trace']).toBe('trace-weft');
    expect(seen.headers['idempotency-key']).toBe(`${r.id}:fetch`);
  });

  it('sends json, form and text bodies with matching content types', async () => {
    const g = chain(
      [
        http('asJson', { method: 'POST', url: target.url('/echo'), body: { type: 'json', content: { name: '{{ start.name }}', tags: ['a', 'b'] } } }),
        http('asForm', { method: 'PUT', url: target.url('/echo'), body: { type: 'form', content: { name: '{{ start.name }}', city: 'Zürich & Co' } } }),
        http('asText', { method: 'PATCH', url: target.url('/echo'), headers: { 'Content-Type': 'text/csv' }, body: { type: 'text', content: 'a,b\n1,2' } }),
      ],
      { json: '{{ asJson.json }}', form: '{{ asForm.json }}', text: '{{ asText.json }}' },
      { name: { type: 'string', required: true } },
    );
    const { run: r } = await run(g, { name: 'Ada' });
    expect(r.status).toBe('succeeded');
    // Key order is not kept through workflow state (JSONB), so compare the decoded bodies.
    expect(r.outputs.json).toMatchObject({ method: 'POST', headers: { 'content-type': 'application/json' } });
    expect(JSON.parse(r.outputs.json.body)).toEqual({ name: 'Ada', tags: ['a', 'b'] });
    expect(r.outputs.form).toMatchObject({ method: 'PUT', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(r.outputs.form.body).toContain('city=Z%C3%BCrich+%26+Co');
    expect(Object.fromEntries(new URLSearchParams(r.outputs.form.body))).toEqual({ name: 'Ada', city: 'Zürich & Co' });
    expect(r.outputs.text).toMatchObject({ method: 'PATCH', body: 'a,b\n1,2', headers: { 'content-type': 'text/csv' } });
  });

  it('sends bearer and basic auth from tenant secrets, which stay out of the run records', async () => {
    expect((await api('PUT', '/v1/secrets/API_TOKEN', { value: 'tok-s3cret' })).status).toBe(200);
    expect((await api('PUT', '/v1/secrets/BASIC_PW', { value: 'pa:ss-w0rd' })).status).toBe(200);
    const g = chain(
      [
        http('bearer', { url: target.url('/echo?who=bearer'), auth: { type: 'bearer', token: '{{ secrets.API_TOKEN }}' } }),
        http('basic', { url: target.url('/echo?who=basic'), auth: { type: 'basic', username: 'ada', password: '{{ secrets.BASIC_PW }}' } }),
      ],
      { ok: '{{ basic.status }}' },
    );
    const { run: r, nodes } = await run(g);
    expect(r.status).toBe('succeeded');
    const seen = target.seen.filter((s) => s.path === '/echo' && s.query.who);
    expect(seen.find((s) => s.query.who === 'bearer')!.headers.authorization).toBe('Bearer tok-s3cret');
    expect(seen.find((s) => s.query.who === 'basic')!.headers.authorization).toBe(`Basic ${Buffer.from('ada:pa:ss-w0rd').toString('base64')}`);
    // Node inputs are recorded with the references, never the values (the echo server's outputs do hold them).
    const records = JSON.stringify(nodes.map((n) => n.inputs));
    expect(records).toContain('{{ secrets.API_TOKEN }}');
    expect(records).not.toContain('tok-s3cret');
    expect(records).not.toContain('pa:ss-w0rd');
  });

  it('returns a 4xx as outputs the graph can branch on', async () => {
    const g = graph(
      [
        start,
        http('fetch', { url: target.url('/status/404') }),
        { id: 'found', type: 'if-else', data: { cases: [{ id: 'missing', logic: 'and', conditions: [{ left: '{{ fetch.status }}', op: 'eq', right: 404 }] }] } },
        { id: 'gone', type: 'template', data: { template: 'not there ({{ fetch.json.status }})' } },
        end({ said: '{{ gone.text }}' }),
      ],
      [['start', 'fetch'], ['fetch', 'found'], ['found', 'gone', 'missing'], ['found', 'end', 'else'], ['gone', 'end']],
    );
    const { run: r, node } = await run(g);
    expect(r.outputs).toEqual({ said: 'not there (404)' });
    expect(attempts(node('fetch'))).toEqual([[1, 'succeeded', null]]);
  });
});

describe('retries and limits', () => {
  it('retries a 503 with the same Idempotency-Key and lists both attempts', async () => {
    const g = chain([http('fetch', { method: 'POST', url: target.url('/flaky/idem-1'), body: { type: 'json', content: { n: 1 } } }, { retry: { maxAttempts: 3, initialInterval: '100ms' } })], {
      attempt: '{{ fetch.status }}',
    });
    const { run: r, node } = await run(g);
    expect(r.status).toBe('succeeded');
    const hits = target.seen.filter((s) => s.path === '/flaky/idem-1');
    expect(hits).toHaveLength(2);
    expect(hits.map((s) => s.headers['idempotency-key'])).toEqual([`${r.id}:fetch`, `${r.id}:fetch`]);
    expect(attempts(node('fetch'))).toEqual([
      [1, 'failed', 'http_status_503'],
      [2, 'succeeded', null],
    ]);
  });

  it('keeps an Idempotency-Key the node sets itself', async () => {
    const g = chain([http('fetch', { url: target.url('/flaky/idem-2'), headers: { 'Idempotency-Key': 'mine-{{ start.k }}' } }, { retry: { maxAttempts: 2, initialInterval: '100ms' } })], {}, { k: { type: 'string', default: '7' } });
    await run(g);
    expect(target.seen.filter((s) => s.path === '/flaky/idem-2').map((s) => s.headers['idempotency-key'])).toEqual(['mine-7', 'mine-7']);
  });

  it('fails the node with a timeout when the server never answers', async () => {
    const g = chain([http('fetch', { url: target.url('/hang') }, { timeout: '1s', retry: { maxAttempts: 1 } })], {});
    const { run: r, node } = await run(g);
    expect(r.status).toBe('failed');
    // Temporal's startToClose and the executor's own deadline (the same 1 s) race; either names the timeout.
    expect(['node_timeout', 'http_timeout']).toContain(r.error.code);
    expect(r.error.message).toMatch(/within 1s|within 1000 ms/);
    expect(node('fetch').status).toBe('failed');
    // The attempt itself gives up at the node's timeout too (not the 60 s fallback), freeing the worker slot.
    const attempt = await eventually(async () => {
      const nodes = (await api('GET', `/v1/runs/${r.id}/nodes`)).body.data as any[];
      const a = nodes.find((n) => n.key === 'fetch').attempts[0];
      return a.status === 'failed' && a;
    });
    expect(attempt.error).toMatchObject({ code: 'http_timeout', message: expect.stringContaining('within 1000 ms') });
  });

  it('fails an oversize body with http_response_too_large, without retrying', async () => {
    const g = chain([http('fetch', { url: target.url('/stream?bytes=52428800'), maxResponseBytes: 65536 }, { retry: { maxAttempts: 3, initialInterval: '100ms' } })], {});
    const { run: r, node } = await run(g);
    expect(r.status).toBe('failed');
    expect(r.error).toMatchObject({ code: 'http_response_too_large', nodeId: 'fetch' });
    expect(attempts(node('fetch'))).toEqual([[1, 'failed', 'http_response_too_large']]);
  });
});

describe('SSRF guard', () => {
  it.each(['127.0.0.1', '[::1]', '2130706433', 'localhost'])('refuses %s under the default config, without retrying', async (host) => {
    const before = target.seen.length;
    const g = chain([http('fetch', { url: `http://${host}:${target.port}/echo` })], {});
    const { run: r, node } = await run(g, {}, strictApi);
    expect(r.status).toBe('failed');
    expect(r.error.code).toBe('http_address_refused');
    expect(r.error.message).toContain('loopback address');
    expect(attempts(node('fetch'))).toEqual([[1, 'failed', 'http_address_refused']]);
    expect(target.seen.length).toBe(before);
  });

  it('refuses a redirect from the allowed server to a loopback port the allowlist does not name', async () => {
    const g = chain([http('fetch', { url: target.url(`/redirect?to=${encodeURIComponent(other.url('/echo'))}`) })], {});
    const { run: r } = await run(g);
    expect(r.status).toBe('failed');
    expect(r.error.code).toBe('http_address_refused');
    expect(lastSeen('/redirect').query.to).toBe(other.url('/echo'));
    expect(other.seen).toEqual([]);
  });
});
