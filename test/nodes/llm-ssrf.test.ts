import { startOpenAiServer, type OpenAiServer } from '../support/openai-server';
import { PROVIDER_KEY, ask, llmGraph, startLlmSuite, type LlmSuite } from '../support/llm-suite';

// A model provider's base URL is tenant data: the llm node calls it only through the SSRF guard
// (WEFT_MODEL_PROVIDER_ALLOWLIST), and what an endpoint answers reaches the run only as an
// OpenAI-style error message. The suite's worker allowlists its own local endpoint by port; a
// second local endpoint stands for an internal service that is not allowlisted.
let s: LlmSuite;
let internal: OpenAiServer;

beforeAll(async () => {
  s = await startLlmSuite('llm-ssrf');
  internal = await startOpenAiServer();
});
afterAll(async () => {
  await s.close();
  await internal.close();
});
beforeEach(() => s.server.reset());

const attemptsOf = (nodes: any[]) => nodes.find((n) => n.key === 'ask').attempts.map((a: any) => [a.attempt, a.status, a.error?.code ?? null]);

describe('llm node SSRF guard', () => {
  it('refuses a provider on a loopback port outside the allowlist at once: no request reaches it, no key in the error', async () => {
    await s.addProvider('internal', internal.url);
    const { run, nodes } = await s.run(llmGraph({ provider: 'internal', messages: ask() }, { retry: { maxAttempts: 3, initialInterval: '100ms' } }));
    expect(run.status).toBe('failed');
    expect(run.error).toMatchObject({ code: 'llm_address_refused', nodeId: 'ask' });
    expect(run.error.message).toBe(
      `Refused to call the model provider at ${internal.url}: it is the loopback address 127.0.0.1 (127.0.0.0/8), and requests to internal ` +
        'addresses are blocked; an operator can allow this endpoint with WEFT_MODEL_PROVIDER_ALLOWLIST',
    );
    expect(attemptsOf(nodes)).toEqual([[1, 'failed', 'llm_address_refused']]);
    expect(internal.requests).toHaveLength(0);
    expect(await s.h.prisma.llmCall.count({ where: { runId: run.id } })).toBe(0);
    expect(JSON.stringify([run, nodes])).not.toContain(PROVIDER_KEY);
  });

  it('refuses a provider pointed at the API itself', async () => {
    await s.addProvider('self', `${s.h.url}/v1`);
    const { run } = await s.run(llmGraph({ provider: 'self', messages: ask() }));
    expect(run.error).toMatchObject({ code: 'llm_address_refused' });
    expect(run.error.message).toContain(`Refused to call the model provider at ${s.h.url}/v1: it is the loopback address 127.0.0.1`);
  });

  it('calls an allowlisted provider, and keeps an error page it answers with out of the run', async () => {
    s.server.enqueue({ kind: 'text', text: 'allowed and answered' });
    expect((await s.run(llmGraph({ messages: ask() }))).run.outputs.text).toBe('allowed and answered');

    const page = '<!doctype html><title>500</title><pre>Traceback: File "/srv/internal/app.py", line 12, in handler\nKeyError: DATABASE_URL</pre>';
    s.server.enqueue({ kind: 'raw', status: 500, body: page, contentType: 'text/html' });
    const { run, nodes } = await s.run(llmGraph({ messages: ask() }));
    expect(run.error).toMatchObject({ code: 'llm_provider_error', message: `The model provider at ${s.server.url} failed (500)` });
    const everything = JSON.stringify([run, nodes]);
    for (const leak of ['Traceback', '/srv/internal', 'DATABASE_URL', '<pre>']) expect(everything).not.toContain(leak);
  });
});

describe('POST /v1/model-providers', () => {
  it.each([
    ['ftp://models.example.com/v1', 'baseUrl must use http or https'],
    ['file:///etc/passwd', 'baseUrl must use http or https'],
    ['https://admin:hunter2@models.example.com/v1', 'baseUrl must not carry credentials (user:password@); the key is sent as a bearer token'],
    ['https://models.example.com/v1#x', 'baseUrl must not have a #fragment'],
  ])('refuses %s with 422 model_provider_base_url_invalid', async (baseUrl, message) => {
    const res = await s.api('POST', '/v1/model-providers', { name: 'bad', type: 'openai', baseUrl, apiKey: 'sk-x' });
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ code: 'model_provider_base_url_invalid', message, details: { issues: [{ path: ['baseUrl'] }] } });
    expect(JSON.stringify(res.body)).not.toContain('hunter2');
    expect(await s.h.prisma.modelProvider.count({ where: { name: 'bad' } })).toBe(0);
  });
});
