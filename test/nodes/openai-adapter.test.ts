import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { LLM_MAX_RETRY_AFTER_MS, OpenAiAdapter, createGuardedFetch, estimateTokens, retryAfterFromHeaders, type ProviderFetch } from '@weft/activities';
import { expectedVector, pieces, startOpenAiServer, words, type OpenAiServer } from '../support/openai-server';
import { expectNodeFailure } from '../support/expect-failure';
import { allowEntry } from '../support/llm-suite';

// The adapter alone against the local OpenAI-compatible server, through the real SDK and the SSRF
// guard, which allowlists exactly that server's port.
let server: OpenAiServer;
let allowed: ProviderFetch;
const KEY = 'sk-adapter-test-key';
const adapter = (extra: Partial<ConstructorParameters<typeof OpenAiAdapter>[0]> = {}) => new OpenAiAdapter({ name: 'local', baseUrl: server.url, apiKey: KEY, fetch: allowed, ...extra });
const never = new AbortController().signal;
const hello = [{ role: 'user' as const, content: 'Say hello to the test suite' }];

beforeAll(async () => {
  server = await startOpenAiServer();
  allowed = createGuardedFetch({ allowlist: [allowEntry(server)] });
});
afterAll(() => server.close());
beforeEach(() => server.reset());

const failure = expectNodeFailure;

describe('OpenAiAdapter', () => {
  it('lists models with the bearer key, and declares its capabilities', async () => {
    const models = await adapter().listModels();
    expect(models.map((m) => m.id)).toEqual(server.models);
    expect(server.requests[0]!.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(adapter().capabilities).toMatchObject({ streaming: true, jsonMode: true, jsonSchema: true, embeddings: true });
    expect(adapter().endpoint).toBe(server.url);
  });

  it('completes a chat without streaming, with usage from the endpoint', async () => {
    server.enqueue({ kind: 'text', text: 'Hello there, suite', usage: { prompt_tokens: 12, completion_tokens: 4 } });
    const r = await adapter().chat({ model: 'gpt-test', messages: hello, temperature: 0.2, maxTokens: 50, responseFormat: { type: 'text' }, stream: false }, never);
    expect(r).toEqual({ text: 'Hello there, suite', finishReason: 'stop', usage: { inputTokens: 12, outputTokens: 4, estimated: false } });
    const body = server.chats()[0]!.body;
    expect(body).toMatchObject({ model: 'gpt-test', messages: hello, temperature: 0.2, max_tokens: 50 });
    expect(body.stream).toBeFalsy();
    expect(body.response_format).toBeUndefined();
  });

  it('streams a chat: deltas in order, usage from the final chunk', async () => {
    const text = 'one two three four five six';
    server.enqueue({ kind: 'text', text, finishReason: 'length' });
    const deltas: string[] = [];
    let began = false;
    const r = await adapter().chat({ model: 'gpt-test', messages: hello, responseFormat: { type: 'text' }, stream: true }, never, { onDelta: (d) => deltas.push(d), onResponse: () => (began = true) });
    expect(began).toBe(true);
    expect(deltas).toEqual(pieces(text));
    expect(r).toEqual({ text, finishReason: 'length', usage: { inputTokens: words(hello[0]!.content), outputTokens: 6, estimated: false } });
    expect(server.chats()[0]!.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
  });

  it('estimates usage when the endpoint reports none', async () => {
    server.enqueue({ kind: 'text', text: 'no usage here', usage: null });
    const r = await adapter().chat({ model: 'gpt-test', messages: hello, responseFormat: { type: 'text' }, stream: true }, never);
    expect(r.usage).toEqual({ inputTokens: estimateTokens(hello), outputTokens: estimateTokens('no usage here'), estimated: true });
    expect(adapter().countTokens('no usage here')).toBe(estimateTokens('no usage here'));
  });

  it('sends json_schema and json_object response formats as asked', async () => {
    const schema = { type: 'object', properties: { a: { type: 'number' } } };
    await adapter().chat({ model: 'gpt-test', messages: hello, responseFormat: { type: 'json_schema', name: 'response', schema }, stream: false }, never);
    await adapter().chat({ model: 'gpt-test', messages: hello, responseFormat: { type: 'json_object' }, stream: false }, never);
    expect(server.chats().map((r) => r.body.response_format)).toEqual([{ type: 'json_schema', json_schema: { name: 'response', schema, strict: false } }, { type: 'json_object' }]);
  });

  it('embeds texts in input order', async () => {
    const r = await adapter().embed({ model: 'embed-test', input: ['alpha beta', 'gamma'], dimensions: 4 });
    expect(r.vectors.map((v) => v.map((x) => Number(x.toFixed(6))))).toEqual([expectedVector('alpha beta', 4), expectedVector('gamma', 4)].map((v) => v.map((x) => Number(x.toFixed(6)))));
    expect(r.usage.inputTokens).toBe(3);
    expect(server.requests[0]!.body).toMatchObject({ encoding_format: 'float', dimensions: 4 });
  });

  it('embeds texts that share words near each other (a hashed bag of words, 64 dimensions unless asked)', async () => {
    const r = await adapter().embed({ model: 'embed-test', input: ['red apples', 'Red apples are sweet', 'diesel engines', ''] });
    const [apples, sweet, diesel, empty] = r.vectors;
    const cosine = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i]!, 0) / (Math.hypot(...a) * Math.hypot(...b));
    expect(r.vectors.map((v) => v.length)).toEqual([64, 64, 64, 64]);
    expect(r.vectors.map((v) => Number(Math.hypot(...v).toFixed(5)))).toEqual([1, 1, 1, 1]);
    expect(cosine(apples!, sweet!)).toBeGreaterThan(0.6);
    expect(cosine(apples!, sweet!)).toBeGreaterThan(cosine(apples!, diesel!) + 0.3);
    expect(cosine(sweet!, diesel!)).toBeLessThan(cosine(sweet!, apples!));
    expect(empty!.some((x) => x !== 0)).toBe(true);
  });

  it('answers an embeddings request with the failure its rule gives', async () => {
    server.embeddingRule = () => ({ kind: 'error', status: 503, message: 'embeddings down' });
    const f = await failure(adapter().embed({ model: 'embed-test', input: ['x'] }));
    expect([f.code, f.retryable]).toEqual(['llm_provider_error', true]);
    expect(f.message).toContain('embeddings down');
  });

  it.each([
    [400, 'llm_bad_request', false],
    [401, 'llm_unauthorized', false],
    [403, 'llm_unauthorized', false],
    [404, 'llm_model_not_found', false],
    [422, 'llm_bad_request', false],
    [429, 'llm_rate_limited', true],
    [500, 'llm_provider_error', true],
    [503, 'llm_provider_error', true],
  ])('maps HTTP %i to %s (retryable: %s), with one request only', async (status, code, retryable) => {
    server.enqueue({ kind: 'error', status, message: `nope ${status}` });
    const f = await failure(adapter().chat({ model: 'gpt-test', messages: hello, responseFormat: { type: 'text' }, stream: false }, never));
    expect([f.code, f.retryable]).toEqual([code, retryable]);
    expect(f.message).toContain(`nope ${status}`);
    expect(f.message).toContain(server.url);
    expect(server.chats()).toHaveLength(1);
  });

  it('honours Retry-After in seconds and retry-after-ms', async () => {
    server.enqueue({ kind: 'error', status: 429, headers: { 'retry-after': '2' } }, { kind: 'error', status: 503, headers: { 'retry-after-ms': '750' } });
    const req = { model: 'gpt-test', messages: hello, responseFormat: { type: 'text' as const }, stream: false };
    expect((await failure(adapter().chat(req, never))).options.retryAfterMs).toBe(2000);
    expect((await failure(adapter().chat(req, never))).options.retryAfterMs).toBe(750);
  });

  it('turns a refused connection and a silent endpoint into retryable failures', async () => {
    const closed = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const { port } = s.address() as AddressInfo;
        s.close(() => resolve(port));
      });
    });
    const req = { model: 'gpt-test', messages: hello, responseFormat: { type: 'text' as const }, stream: false };
    const gone = new OpenAiAdapter({ name: 'gone', baseUrl: `http://127.0.0.1:${closed}/v1`, apiKey: KEY, fetch: createGuardedFetch({ allowlist: [`127.0.0.1:${closed}`] }) });
    const refused = await failure(gone.chat(req, never));
    expect([refused.code, refused.retryable]).toEqual(['llm_connection_error', true]);

    server.enqueue({ kind: 'hang' });
    const slow = await failure(adapter({ requestTimeoutMs: 300 }).chat(req, never));
    expect([slow.code, slow.retryable]).toEqual(['llm_timeout', true]);

    server.enqueue({ kind: 'text', text: 'a b c', chunkDelayMs: 2_000 });
    const idle = await failure(adapter({ streamIdleTimeoutMs: 300 }).chat({ ...req, stream: true }, never));
    expect([idle.code, idle.retryable]).toEqual(['llm_timeout', true]);
  });

  it('stops a stream when its signal aborts, and the endpoint sees the connection close', async () => {
    server.enqueue({ kind: 'text', text: Array.from({ length: 100 }, (_, i) => `w${i}`).join(' '), chunkDelayMs: 100 });
    const ac = new AbortController();
    const deltas: string[] = [];
    const p = adapter().chat({ model: 'gpt-test', messages: hello, responseFormat: { type: 'text' }, stream: true }, ac.signal, {
      onDelta: (d) => {
        deltas.push(d);
        if (deltas.length === 3) ac.abort();
      },
    });
    const f = await failure(p);
    expect([f.code, f.retryable]).toEqual(['llm_cancelled', false]);
    for (let i = 0; i < 50 && !server.chats()[0]!.closedEarly; i++) await new Promise((r) => setTimeout(r, 100));
    expect(server.chats()[0]!.closedEarly).toBe(true);
    expect(server.chats()[0]!.chunksSent).toBeLessThan(20);
  });
});

describe('OpenAiAdapter behind the SSRF guard', () => {
  const req = { model: 'gpt-test', messages: hello, responseFormat: { type: 'text' as const }, stream: false };

  it('refuses a loopback endpoint that is not allowlisted before any request reaches it: chat, stream, embeddings, models', async () => {
    // The default fetch is the guard with an empty allowlist (WEFT_MODEL_PROVIDER_ALLOWLIST unset).
    const guarded = [adapter({ fetch: undefined }), adapter({ fetch: createGuardedFetch({ allowlist: ['127.0.0.1:1'] }) })];
    for (const a of guarded) {
      const calls = [a.chat(req, never), a.chat({ ...req, stream: true }, never), a.embed({ model: 'embed-test', input: ['x'] }), a.listModels()];
      for (const call of calls) {
        const f = await failure(call);
        expect([f.code, f.retryable]).toEqual(['llm_address_refused', false]);
        expect(f.message).toBe(
          `Refused to call the model provider at ${server.url}: it is the loopback address 127.0.0.1 (127.0.0.0/8), and requests to internal ` +
            'addresses are blocked; an operator can allow this endpoint with WEFT_MODEL_PROVIDER_ALLOWLIST',
        );
        expect(f.message).not.toContain(KEY);
      }
    }
    expect(server.requests).toHaveLength(0);
    // localhost names are loopback whatever a resolver would say.
    const byName = adapter({ fetch: undefined, baseUrl: server.url.replace('127.0.0.1', 'localhost') });
    await expect(failure(byName.chat(req, never))).resolves.toMatchObject({ code: 'llm_address_refused' });
    expect(server.requests).toHaveLength(0);
  });

  it('shows only an OpenAI-style error.message of the endpoint, cut short, never a raw error page', async () => {
    const page = '<html><body><h1>502 Bad Gateway</h1><p>upstream 10.0.3.7:8080 /srv/app/gateway.py line 42</p></body></html>';
    server.enqueue(
      { kind: 'raw', status: 502, body: page, contentType: 'text/html' },
      { kind: 'raw', status: 400, body: 'Traceback (most recent call last): File "/srv/app/main.py"', contentType: 'text/plain' },
      { kind: 'raw', status: 500, body: JSON.stringify({ detail: 'connection to postgres://10.0.0.9 failed' }), contentType: 'application/json' },
      { kind: 'error', status: 400, message: `Bad value ${'x'.repeat(1000)}` },
    );
    const messages: string[] = [];
    for (let i = 0; i < 4; i++) messages.push((await failure(adapter().chat(req, never))).message);
    expect(messages.slice(0, 3)).toEqual([
      `The model provider at ${server.url} failed (502)`,
      `The model provider at ${server.url} rejected the request (400)`,
      `The model provider at ${server.url} failed (500)`,
    ]);
    expect(messages[3]).toBe(`The model provider at ${server.url} rejected the request (400): Bad value ${'x'.repeat(190)}…`);
  });

  it('does not follow a redirect, which would take the key elsewhere', async () => {
    server.enqueue({ kind: 'raw', status: 307, body: '', contentType: 'text/plain' });
    const f = await failure(adapter().chat(req, never));
    expect([f.code, f.retryable, f.message]).toEqual(['llm_bad_request', false, `The model provider at ${server.url} answered with a redirect (307), which is not followed`]);
  });
});

describe('retryAfterFromHeaders (the llm path of the one Retry-After parser)', () => {
  it('reads fetch Headers and plain header records alike, capped', () => {
    const now = Date.parse('2026-11-25T10:00:00Z');
    const cap = { capMs: LLM_MAX_RETRY_AFTER_MS, now };
    expect(retryAfterFromHeaders(new Headers({ 'retry-after': 'Wed, 25 Nov 2026 10:00:05 GMT' }), cap)).toBe(5_000);
    expect(retryAfterFromHeaders(new Headers({ 'retry-after': '86400' }), cap)).toBe(600_000);
    expect(retryAfterFromHeaders(new Headers({ 'retry-after-ms': '750', 'retry-after': '2' }), cap)).toBe(750);
    expect(retryAfterFromHeaders({ 'retry-after': '3' }, cap)).toBe(3_000);
    expect(retryAfterFromHeaders(new Headers({ 'retry-after': 'soon' }), cap)).toBeUndefined();
    expect(retryAfterFromHeaders(new Headers(), cap)).toBeUndefined();
    expect(retryAfterFromHeaders(undefined, cap)).toBeUndefined();
  });
});
