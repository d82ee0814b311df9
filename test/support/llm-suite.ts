import { randomUUID } from 'node:crypto';
import { RunEventStream, SecretCipher, createLlmExecutor, type CircuitBreakerOptions } from '@weft/activities';
import { end, graph, start, type N } from './graph-builder';
import { httpClient, publishGraph, resetDatabase, runGraph, silentLogger, startHarness, type Harness } from './harness';
import { startOpenAiServer, type OpenAiServer } from './openai-server';
import { testEnv } from './test-env';

/** The provider key the suites register; no response or record may ever contain it. */
export const PROVIDER_KEY = `sk-provider-${randomUUID()}`;

export interface LlmSuite {
  h: Harness;
  api: ReturnType<typeof httpClient>;
  server: OpenAiServer;
  /** more local endpoints, allowlisted like `server` (for a second provider, a failing one) */
  others: OpenAiServer[];
  events: RunEventStream;
  /** registers a model provider through the API */
  addProvider(name: string, baseUrl: string, apiKey?: string): Promise<void>;
  /** publishes and runs a graph in blocking mode: the finished run and its node list */
  run(g: unknown, inputs?: Record<string, unknown>): Promise<{ run: any; nodes: any[] }>;
  /** publishes and starts a graph asynchronously: the run id */
  start(g: unknown, inputs?: Record<string, unknown>): Promise<string>;
  close(): Promise<void>;
}

/** The WEFT_MODEL_PROVIDER_ALLOWLIST entry of a local endpoint: its loopback address and port only. */
export const allowEntry = (server: OpenAiServer) => `127.0.0.1:${new URL(server.url).port}`;

/**
 * The real API and worker (real Temporal, PostgreSQL, Redis) with the real llm executor, whose
 * only fake is the vendor: a local OpenAI-compatible server registered as the tenant's provider.
 * The executor's SSRF guard stays on: exactly these local endpoints are allowlisted, by port.
 */
export async function startLlmSuite(name: string, breaker: CircuitBreakerOptions = {}, options: { others?: number; env?: Record<string, string> } = {}): Promise<LlmSuite> {
  const h = await startHarness(name, options.env);
  await resetDatabase(h.prisma);
  const server = await startOpenAiServer();
  const others = await Promise.all(Array.from({ length: options.others ?? 0 }, () => startOpenAiServer()));
  const events = new RunEventStream(h.redis);
  const llm = createLlmExecutor({
    prisma: h.prisma,
    redis: h.redis,
    events,
    logger: silentLogger,
    cipher: new SecretCipher(testEnv.encryptionKey),
    // A prefix per suite run: breaker state never leaks between runs of the suite.
    breaker: { prefix: `weft-test-${randomUUID().slice(0, 8)}`, ...breaker },
    deltas: { maxChars: 16, maxDelayMs: 60_000 },
    allowlist: [server, ...others].map(allowEntry),
  });
  const worker = await h.startWorker({ llm });
  const api = httpClient(h.url, await h.key('acme'));

  const suite: LlmSuite = {
    h,
    api,
    server,
    others,
    events,
    async addProvider(providerName, baseUrl, apiKey = PROVIDER_KEY) {
      const res = await api('POST', '/v1/model-providers', { name: providerName, type: 'openai', baseUrl, apiKey });
      if (res.status !== 201) throw new Error(JSON.stringify(res.body));
    },
    run: (g, inputs = {}) => runGraph(api, g, inputs),
    async start(g, inputs = {}) {
      const id = await publishGraph(api, g, name);
      const r = await api('POST', `/v1/workflows/${id}/runs`, { inputs, mode: 'async' });
      if (r.status !== 202) throw new Error(JSON.stringify(r.body));
      return r.body.data.id as string;
    },
    async close() {
      await worker.stop();
      await h.close();
      for (const other of others) await other.close();
      await server.close();
    },
  };
  await suite.addProvider('local', server.url);
  return suite;
}

/** start → one llm node → end exposing its outputs. */
export function llmGraph(data: Record<string, unknown>, extra: Record<string, unknown> = {}, outputs?: Record<string, unknown>) {
  const ask: N = { id: 'ask', type: 'llm', data: { model: 'gpt-test', ...data }, retry: { maxAttempts: 1, initialInterval: '100ms' }, ...extra };
  const out = outputs ?? { text: '{{ ask.text }}', json: '{{ ask.json }}', usage: '{{ ask.usage }}', finishReason: '{{ ask.finishReason }}' };
  return graph([start, ask, end(out)], [['start', 'ask'], ['ask', 'end']], { q: { type: 'string', default: 'What is Weft?' } });
}

export const ask = (content = '{{ start.q }}') => [{ role: 'user', content }];
