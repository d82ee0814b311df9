import { buildConnector } from 'undici';
import { createHttpExecutor, type HttpExecutorOptions, type Resolver } from '@weft/activities';
import type { NodeActivityInput } from '@weft/domain';
import { closedPort, startHttpTarget, type HttpTarget } from '../support/http-target';
import { expectNodeFailure } from '../support/expect-failure';

/**
 * The executor called directly (no Temporal), against a local server on 127.0.0.1. Every test's
 * socket opener sits under the guard and opens nothing but loopback, so a guard bug would fail
 * a test instead of reaching another network.
 */
let target: HttpTarget;
let other: HttpTarget;
const opened: string[] = [];
const realOpen = buildConnector({});
const loopbackOnly: ReturnType<typeof buildConnector> = (options, callback) => {
  opened.push(`${options.hostname}:${options.port}`);
  if (!/^(127\.|::1$)/.test(options.hostname)) return callback(new Error(`test safety net: would have opened ${options.hostname}`), null);
  realOpen(options, callback);
};
const noDns: Resolver = async (hostname) => {
  if (hostname === 'metadata.test') return [{ address: '169.254.169.254', family: 4 }];
  throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
};

beforeAll(async () => {
  target = await startHttpTarget();
  other = await startHttpTarget();
});
afterAll(async () => {
  await target.close();
  await other.close();
});
beforeEach(() => {
  opened.length = 0;
});

const executor = (options: HttpExecutorOptions = {}) =>
  createHttpExecutor({ allowlist: [`127.0.0.1:${target.port}`], resolve: noDns, openSocket: loopbackOnly, ...options });

function input(config: Record<string, unknown>, idempotencyKey = 'run_1:fetch'): NodeActivityInput {
  return { runId: 'run_1', tenantId: 't', workflowId: 'wf', node: { nodeId: 'fetch', key: 'fetch', type: 'http-request' }, config, idempotencyKey };
}

const failure = expectNodeFailure;

const signal = () => new AbortController().signal;

describe('responses', () => {
  it('returns status, headers, text body and parsed JSON', async () => {
    const out = await executor()(input({ url: target.url('/echo?a=1'), query: { b: 2, tags: ['x', 'y'] }, headers: { 'X-Trace': 't1' } }), signal());
    expect(out.status).toBe(200);
    expect((out.headers as Record<string, string>)['content-type']).toBe('application/json');
    expect(JSON.parse(out.body as string)).toEqual(out.json);
    expect(out.json).toMatchObject({ method: 'GET', path: '/echo', query: { a: '1', b: '2', tags: 'y' }, headers: { 'x-trace': 't1', 'idempotency-key': 'run_1:fetch' } });
    expect(target.seen.at(-1)!.path).toBe('/echo');
  });

  it('keeps 4xx as outputs for the graph to branch on', async () => {
    const out = await executor()(input({ url: target.url('/status/404') }), signal());
    expect(out).toMatchObject({ status: 404, json: { status: 404 } });
  });

  it('gives json null for text and for a body that only claims to be JSON', async () => {
    expect(await executor()(input({ url: target.url('/text') }), signal())).toMatchObject({ body: 'plain words', json: null });
    expect(await executor()(input({ url: target.url('/bad-json') }), signal())).toMatchObject({ body: '{not json', json: null });
  });

  it('decodes a gzip body', async () => {
    const out = await executor()(input({ url: target.url('/gzip') }), signal());
    expect(out.json).toEqual({ compressed: true, word: 'grüße' });
  });

  it('fails 5xx and 429 as retryable, with Retry-After as the retry delay', async () => {
    const e503 = await failure(executor()(input({ url: target.url('/status/503') }), signal()));
    expect([e503.code, e503.retryable, e503.options.retryAfterMs]).toEqual(['http_status_503', true, undefined]);
    expect(e503.options.details).toMatchObject({ status: 503, body: '{"status":503}' });
    const e429 = await failure(executor()(input({ url: target.url('/status/429?retryAfter=2') }), signal()));
    expect([e429.code, e429.retryable, e429.options.retryAfterMs]).toEqual(['http_status_429', true, 2000]);
    const capped = await failure(executor({ maxRetryAfterMs: 1500 })(input({ url: target.url('/status/429?retryAfter=3600') }), signal()));
    expect(capped.options.retryAfterMs).toBe(1500);
  });
});

describe('response size', () => {
  it('stops reading a chunked body once it passes maxResponseBytes', async () => {
    const err = await failure(executor()(input({ url: target.url('/stream?bytes=104857600'), maxResponseBytes: 256 * 1024 }), signal()));
    expect([err.code, err.retryable]).toEqual(['http_response_too_large', false]);
    // The server had 100 MiB to send; the client hung up long before.
    expect(target.streamed).toBeLessThan(20 * 1024 * 1024);
  });

  it('refuses a declared Content-Length over the limit, and applies the default limit', async () => {
    const err = await failure(executor()(input({ url: target.url('/sized?bytes=2048'), maxResponseBytes: 1024 }), signal()));
    expect(err.code).toBe('http_response_too_large');
    const small = await failure(executor({ defaultMaxResponseBytes: 100 })(input({ url: target.url('/sized?bytes=101') }), signal()));
    expect(small.code).toBe('http_response_too_large');
    expect((await executor()(input({ url: target.url('/sized?bytes=1024'), maxResponseBytes: 1024 }), signal())).body).toHaveLength(1024);
  });

  it('counts decompressed bytes, so a gzip bomb stops at the limit', async () => {
    const err = await failure(executor()(input({ url: target.url('/gzip-bomb?bytes=20000000'), maxResponseBytes: 1024 * 1024 }), signal()));
    expect(err.code).toBe('http_response_too_large');
  });
});

describe('failures', () => {
  it('rejects invalid URLs and schemes other than http(s)', async () => {
    for (const url of ['not a url', 'ftp://127.0.0.1/x', 'file:///etc/passwd', 'gopher://127.0.0.1:70/', 'http://user:pw@127.0.0.1/']) {
      const err = await failure(executor()(input({ url }), signal()));
      expect([err.code, err.retryable]).toEqual(['http_url_invalid', false]);
    }
    expect(opened).toEqual([]);
  });

  it('rejects settings the node schema does not allow', async () => {
    const err = await failure(executor()(input({ url: 42, method: 'BREW' }), signal()));
    expect(err.code).toBe('http_request_invalid');
    expect(err.message).toContain('url');
    for (const headers of [{ 'bad header': 'x' }, { 'x-split': 'a\r\nInjected: yes' }]) {
      const bad = await failure(executor()(input({ url: target.url('/echo'), headers }), signal()));
      expect([bad.code, bad.retryable]).toEqual(['http_request_invalid', false]);
    }
  });

  it('fails a refused connection as retryable', async () => {
    const port = await closedPort();
    const err = await failure(executor({ allowlist: [`127.0.0.1:${port}`] })(input({ url: `http://127.0.0.1:${port}/` }), signal()));
    expect([err.code, err.retryable]).toEqual(['http_connection_failed', true]);
  });

  it('times out a server that never answers', async () => {
    const err = await failure(executor({ timeoutMs: 300 })(input({ url: target.url('/hang') }), signal()));
    expect([err.code, err.retryable]).toEqual(['http_timeout', true]);
  });

  it('stops when the activity is cancelled', async () => {
    const ac = new AbortController();
    const pending = executor()(input({ url: target.url('/hang') }), ac.signal);
    setTimeout(() => ac.abort(new Error('cancelled')), 100);
    const err = await failure(pending);
    expect(err.code).toBe('http_aborted');
  });

  it('reports a name that does not resolve', async () => {
    const err = await failure(executor({ allowlist: ['nowhere.test'] })(input({ url: 'http://nowhere.test/' }), signal()));
    expect([err.code, err.retryable]).toEqual(['http_host_not_found', false]);
  });
});

describe('the SSRF guard in the executor', () => {
  it('refuses loopback under the default config, in every spelling, without opening a socket', async () => {
    const strict = createHttpExecutor({ resolve: noDns, openSocket: loopbackOnly });
    for (const host of ['127.0.0.1', '[::1]', '2130706433', '0x7f.1', '127.1', '0177.0.0.1', '[::ffff:127.0.0.1]', 'localhost']) {
      const err = await failure(strict(input({ url: `http://${host}:${target.port}/echo` }), signal()));
      expect([err.code, err.retryable]).toEqual(['http_address_refused', false]);
      expect(err.message).toContain('loopback address');
    }
    expect(opened).toEqual([]);
  });

  it('refuses a redirect to an internal address, literal or by name', async () => {
    for (const to of ['http://169.254.169.254/latest/meta-data/', 'http://[::ffff:a9fe:a9fe]/', 'http://metadata.test/', 'http://10.0.0.1:8080/']) {
      const err = await failure(executor()(input({ url: target.url(`/redirect?to=${encodeURIComponent(to)}`) }), signal()));
      expect(err.code).toBe('http_address_refused');
    }
    expect(new Set(opened)).toEqual(new Set([`127.0.0.1:${target.port}`]));
  });

  it('refuses a redirect to a loopback port the allowlist does not name', async () => {
    const err = await failure(executor()(input({ url: target.url(`/redirect?to=${encodeURIComponent(other.url('/echo'))}`) }), signal()));
    expect(err.code).toBe('http_address_refused');
    expect(other.seen).toEqual([]);
  });

  it('refuses a redirect to another scheme, and too many redirects', async () => {
    const ftp = await failure(executor()(input({ url: target.url('/redirect?to=ftp://127.0.0.1/x') }), signal()));
    expect(ftp.code).toBe('http_url_invalid');
    const loop = target.url('/redirect?to=/redirect%3Fto%3D/redirect%253Fto%253D/echo');
    expect((await executor({ maxRedirects: 3 })(input({ url: loop }), signal())).status).toBe(200);
    const tooMany = await failure(executor({ maxRedirects: 2 })(input({ url: loop }), signal()));
    expect([tooMany.code, tooMany.retryable]).toEqual(['http_too_many_redirects', false]);
  });
});

describe('redirects', () => {
  const both = () => executor({ allowlist: [`127.0.0.1:${target.port}`, `127.0.0.1:${other.port}`] });
  const auth = { type: 'bearer', token: 'tok-123' };

  it('keeps credentials on the same origin and drops them on another', async () => {
    const same = await both()(input({ url: target.url('/redirect?to=/echo'), auth, headers: { cookie: 'c=1' } }), signal());
    expect(same.json).toMatchObject({ headers: { authorization: 'Bearer tok-123', cookie: 'c=1' } });
    const cross = await both()(input({ url: target.url(`/redirect?to=${encodeURIComponent(other.url('/echo'))}`), auth, headers: { cookie: 'c=1', 'x-keep': 'k' } }), signal());
    const seen = (cross.json as { headers: Record<string, string> }).headers;
    expect(seen.authorization).toBeUndefined();
    expect(seen.cookie).toBeUndefined();
    expect(seen['x-keep']).toBe('k');
    expect(seen['idempotency-key']).toBe('run_1:fetch');
  });

  it('turns POST into GET on 303 and keeps method and body on 307', async () => {
    const body = { type: 'json', content: { a: 1 } };
    const see = await both()(input({ method: 'POST', url: target.url('/redirect?status=303&to=/echo'), body }), signal());
    expect(see.json).toMatchObject({ method: 'GET', body: '' });
    expect((see.json as { headers: Record<string, string> }).headers['content-type']).toBeUndefined();
    const temp = await both()(input({ method: 'POST', url: target.url('/redirect?status=307&to=/echo'), body }), signal());
    expect(temp.json).toMatchObject({ method: 'POST', body: '{"a":1}', headers: { 'content-type': 'application/json' } });
  });
});
