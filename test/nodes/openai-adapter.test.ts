import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { OpenAiAdapter, estimateTokens, retryAfterMs } from '@weft/activities';
import { expectedVector, pieces, startOpenAiServer, words, type OpenAiServer } from '../support/openai-server';
import { expectNodeFailure } from '../support/expect-failure';

// The adapter alone against the local OpenAI-compatible server, through the real SDK.
let server: OpenAiServer;
const KEY = 'sk-adapter-test-key';
const adapter = (extra: Partial<ConstructorParameters<typeof OpenAiAdapter>[0]> = {}) => new OpenAiAdapter({ name: 'local', baseUrl: server.url, apiKey: KEY, ...extra });
const never = new AbortController().signal;
const hello = [{ role: 'user' as const, content: 'Say hello to the test suite' }];

beforeAll(async () => {
  server = await startOpenAiServer();
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
    const refused = await failure(new OpenAiAdapter({ name: 'gone', baseUrl: `http://127.0.0.1:${closed}/v1`, apiKey: KEY }).chat(req, never));
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

describe('retryAfterMs', () => {
  it('reads an HTTP date, caps long waits and ignores junk', () => {
    const now = Date.parse('2026-11-25T10:00:00Z');
    expect(retryAfterMs(new Headers({ 'retry-after': 'Wed, 25 Nov 2026 10:00:05 GMT' }), now)).toBe(5_000);
    expect(retryAfterMs(new Headers({ 'retry-after': '86400' }), now)).toBe(600_000);
    expect(retryAfterMs(new Headers({ 'retry-after': 'soon' }), now)).toBeUndefined();
    expect(retryAfterMs(new Headers(), now)).toBeUndefined();
  });
});
