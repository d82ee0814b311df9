import type { buildConnector } from 'undici';
import { NodeFailure } from '../errors/node-failure';
import type { Resolver } from '../http/ssrf.guard';
import { createGuardedFetch } from './guarded-fetch';
import { OpenAiAdapter, baseUrlProblem } from './openai.adapter';

// The guard's decisions for model providers, through the real openai SDK, without opening a
// single connection: DNS is a table, and the socket opener only records the address it was
// handed (then fails), so no request can leave this process.
const KEY = 'sk-unit-test-key';
const dns: Record<string, string[]> = {
  'models.internal.example': ['10.20.30.40'],
  'rebinding.example': ['93.184.216.34', '127.0.0.1'],
  'llm.vendor.example': ['93.184.216.34'],
  'metadata.example': ['169.254.169.254'],
};
const resolve: Resolver = async (host) => (dns[host] ?? []).map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));

function setup(allowlist: string[] = []) {
  const opened: string[] = [];
  const openSocket: buildConnector.connector = (options, callback) => {
    opened.push(options.hostname);
    callback(Object.assign(new Error('no sockets in unit tests'), { code: 'ECONNREFUSED' }), null);
  };
  const fetch = createGuardedFetch({ allowlist, resolve, openSocket });
  const chat = async (baseUrl: string) => {
    const adapter = new OpenAiAdapter({ name: 'p', baseUrl, apiKey: KEY, fetch });
    const err = await adapter.chat({ model: 'm', messages: [{ role: 'user', content: 'hi' }], responseFormat: { type: 'text' }, stream: false }, new AbortController().signal).then(
      () => undefined,
      (e: unknown) => e,
    );
    if (!(err instanceof NodeFailure)) throw new Error(`expected a NodeFailure, got ${String(err)}`);
    return err;
  };
  return { opened, chat };
}

describe('model provider SSRF guard', () => {
  it.each([
    ['http://10.1.2.3/v1', 'private'],
    ['http://169.254.169.254/latest', 'link-local'],
    ['http://[::1]:8000/v1', 'loopback'],
    ['http://[::ffff:7f00:1]/v1', 'loopback'],
    ['http://2130706433:3000/v1', 'loopback'],
    ['http://0x7f.1/v1', 'loopback'],
    ['http://100.64.0.1/v1', 'carrier-grade-nat'],
    ['http://models.internal.example/v1', 'private'],
    ['http://metadata.example/v1', 'link-local'],
    ['http://rebinding.example/v1', 'loopback'],
  ])('refuses %s (%s) with llm_address_refused before any socket is opened', async (baseUrl, kind) => {
    const { opened, chat } = setup();
    const f = await chat(baseUrl);
    expect([f.code, f.retryable, f.options.details]).toEqual(['llm_address_refused', false, { kind }]);
    expect(f.message).toMatch(/^Refused to call the model provider at http:\/\/\S+: it is the .+ address .+WEFT_MODEL_PROVIDER_ALLOWLIST$/);
    expect(f.message).not.toContain(KEY);
    expect(opened).toEqual([]);
  });

  it('connects to the checked address of a public name, never to the name itself', async () => {
    const { opened, chat } = setup();
    const f = await chat('https://llm.vendor.example/v1');
    expect([f.code, f.retryable]).toEqual(['llm_connection_error', true]);
    expect(opened).toEqual(['93.184.216.34']);
  });

  it('lets an allowlisted network, address:port or host through, and nothing next to it', async () => {
    const { opened, chat } = setup(['10.20.0.0/16', '127.0.0.1:8000', 'metadata.example']);
    expect((await chat('http://models.internal.example/v1')).code).toBe('llm_connection_error');
    expect((await chat('http://127.0.0.1:8000/v1')).code).toBe('llm_connection_error');
    expect((await chat('http://metadata.example/v1')).code).toBe('llm_connection_error');
    expect((await chat('http://127.0.0.1:8001/v1')).code).toBe('llm_address_refused');
    expect((await chat('http://10.21.0.1/v1')).code).toBe('llm_address_refused');
    expect(opened).toEqual(['10.20.30.40', '127.0.0.1', '169.254.169.254']);
  });

  it('refuses base URLs that are not plain http(s) before building a client', () => {
    expect(baseUrlProblem('https://api.example.com/v1')).toBeUndefined();
    expect(baseUrlProblem('http://10.0.0.1:8000/v1?api-version=1')).toBeUndefined();
    expect(baseUrlProblem('file:///etc/passwd')).toBe('must use http or https');
    expect(baseUrlProblem('gopher://example.com/')).toBe('must use http or https');
    expect(baseUrlProblem('https://user:pw@example.com/v1')).toMatch(/^must not carry credentials/);
    expect(baseUrlProblem('https://example.com/v1#frag')).toBe('must not have a #fragment');
    expect(baseUrlProblem('not a url')).toBe('is not a URL');
    expect(() => new OpenAiAdapter({ name: 'p', baseUrl: 'ftp://example.com/', apiKey: KEY })).toThrow(
      expect.objectContaining({ code: 'llm_address_refused', message: "The base URL of model provider 'p' must use http or https" }),
    );
  });
});
