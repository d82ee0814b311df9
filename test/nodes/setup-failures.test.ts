import { NON_RETRYABLE_CODES, errorSpec } from '@weft/domain';
import { SecretCipher, createCodeExecutor, createLlmExecutor, type CodeExecutor, type NodeExecutor, type PrismaClient } from '@weft/activities';
import { RunEventStream } from '@weft/activities';
import { code, end, graph, start, type N } from '../support/graph-builder';
import { httpClient, resetDatabase, runGraph, silentLogger, startHarness, type ApiClient, type Harness } from '../support/harness';
import { testEnv } from '../support/test-env';

// Work an executor does before its call (building a client, finding a provider, starting a
// sandbox) fails inside the activity's error handling: the node ends with a catalogue code and
// plain words, never a library's text. Real worker and Temporal; the failures are injected.
const KEY = 'sk-setup-test-key-0123456789';
const PRISMA_TEXT = '\nInvalid `prisma.modelProvider.findFirst()` invocation in\n/srv/weft/packages/activities/dist/llm/provider-registry.js:37:41\n\nCan\'t reach database server at `db:5432`';
const INTERNALS = /prisma|invocation|\/srv\/|node_modules|sk-setup|\.js:\d+|db:5432|OpenAIError/;

let h: Harness;
let api: ApiClient;
let stop: () => Promise<void>;
let good: CodeExecutor;
// Which executor the worker calls is switched per test (one worker for the file).
let codeImpl: NodeExecutor;
let llmImpl: NodeExecutor;

function llmWith(overrides: { prisma?: PrismaClient; factoryThrows?: unknown }): NodeExecutor {
  return createLlmExecutor({
    prisma: overrides.prisma ?? h.prisma,
    redis: h.redis,
    events: new RunEventStream(h.redis),
    logger: silentLogger,
    cipher: new SecretCipher(testEnv.encryptionKey),
    ...(overrides.factoryThrows !== undefined
      ? {
          factories: {
            openai: () => {
              throw overrides.factoryThrows;
            },
          },
        }
      : {}),
  });
}

beforeAll(async () => {
  h = await startHarness('setup-failures');
  await resetDatabase(h.prisma);
  good = createCodeExecutor({ timeoutMs: 2_000 });
  codeImpl = good;
  llmImpl = llmWith({});
  stop = (await h.startWorker({ code: (i, s) => codeImpl(i, s), llm: (i, s) => llmImpl(i, s) })).stop;
  api = httpClient(h.url, await h.key('acme'));
  const added = await api('POST', '/v1/model-providers', { name: 'local', type: 'openai', baseUrl: 'http://127.0.0.1:9/v1', apiKey: KEY });
  expect(added.status).toBe(201);
});
afterAll(async () => {
  await stop();
  await good.close();
  await h.close();
});

const retry = { retry: { maxAttempts: 2, initialInterval: '100ms' } };
const llmNode: N = { id: 'ask', type: 'llm', data: { model: 'gpt-test', messages: [{ role: 'user', content: 'hi' }] }, ...retry };
const llmGraph = graph([start, llmNode, end({ text: '{{ ask.text }}' })], [['start', 'ask'], ['ask', 'end']]);
const attempts = (nodes: any[], key: string) => nodes.find((n) => n.key === key).attempts.map((a: any) => [a.attempt, a.error?.code ?? null]);

describe('set-up failures inside an activity', () => {
  it('a vendor SDK refusing to build its client fails the llm node with llm_provider_invalid, at once, without its text or the key', async () => {
    const sdkError = Object.assign(new Error(`OpenAIError: apiKey ${KEY} is not usable (at /srv/weft/node_modules/openai/client.js:12:3)`), { name: 'OpenAIError' });
    llmImpl = llmWith({ factoryThrows: sdkError });
    const { run, nodes } = await runGraph(api, llmGraph);
    expect(run.status).toBe('failed');
    expect(run.error).toEqual({ code: 'llm_provider_invalid', nodeId: 'ask', message: "Model provider 'local' could not be set up; check its base URL and API key" });
    expect(errorSpec('llm_provider_invalid').retryable).toBe(false);
    expect(attempts(nodes, 'ask')).toEqual([[1, 'llm_provider_invalid']]);
    expect(JSON.stringify([run, nodes])).not.toMatch(INTERNALS);
  });

  it('the database failing while the provider is looked up fails the attempt as internal_error with a reference, retried under the node policy', async () => {
    const prismaError = Object.assign(new Error(PRISMA_TEXT), { name: 'PrismaClientInitializationError', code: 'P1001' });
    const broken = { modelProvider: { findFirst: () => Promise.reject(prismaError) } } as unknown as PrismaClient;
    llmImpl = llmWith({ prisma: broken });
    const { run, nodes } = await runGraph(api, llmGraph);
    expect(run.error.code).toBe('internal_error');
    expect(run.error.message).toMatch(/^An internal error stopped this attempt \(reference ref_[0-9a-f]{12}\)$/);
    expect(attempts(nodes, 'ask')).toEqual([[1, 'internal_error'], [2, 'internal_error']]);
    expect(JSON.stringify([run, nodes])).not.toMatch(INTERNALS);
  });

  it('a code sandbox that cannot start fails the node with code_sandbox_unavailable (retryable), in plain words', async () => {
    const broken = createCodeExecutor({ childScript: '/nonexistent/weft-sandbox-child.js' });
    codeImpl = broken;
    try {
      const { run, nodes } = await runGraph(api, graph([start, code('calc', { n: 1 }, retry), end({ n: '{{ calc.n }}' })], [['start', 'calc'], ['calc', 'end']]));
      expect(run.error).toMatchObject({ code: 'code_sandbox_unavailable', nodeId: 'calc' });
      expect(run.error.message).toBe('the code sandbox process did not start');
      expect(attempts(nodes, 'calc')).toEqual([[1, 'code_sandbox_unavailable'], [2, 'code_sandbox_unavailable']]);
      expect(JSON.stringify([run, nodes])).not.toMatch(/nonexistent|MODULE_NOT_FOUND|node:internal/);
    } finally {
      codeImpl = good;
      await broken.close();
    }
  });

  it('every code the catalogue marks non-retryable is in the retry policy the workflow hands Temporal', async () => {
    const { run } = await runGraph(api, graph([start, code('calc', { n: 1 }), end({ n: '{{ calc.n }}' })], [['start', 'calc'], ['calc', 'end']]));
    expect(run.status).toBe('succeeded');
    const history = await h.temporal.workflow.getHandle(run.temporal.workflowId).fetchHistory();
    const scheduled = (history.events ?? []).filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'nodeCode');
    expect(scheduled).toHaveLength(1);
    const types = scheduled[0]!.activityTaskScheduledEventAttributes!.retryPolicy!.nonRetryableErrorTypes;
    expect([...(types ?? [])].sort()).toEqual([...NON_RETRYABLE_CODES].sort());
    expect(NON_RETRYABLE_CODES).toEqual(expect.arrayContaining(['code_timeout', 'http_address_refused', 'llm_bad_request', 'secret_not_found', 'llm_provider_invalid']));
  });
});
