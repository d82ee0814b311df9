import { eventually } from '../support/harness';
import type { OpenAiServer } from '../support/openai-server';
import { ask, llmGraph, startLlmSuite, type LlmSuite } from '../support/llm-suite';

// How the llm node fails and recovers: vendor errors, retries under the node's policy, the
// circuit breaker per endpoint, and a cancelled run stopping a stream. Real Temporal,
// PostgreSQL and Redis; the vendor is a local OpenAI-compatible server.
const COOL_DOWN_MS = 1_500;
let s: LlmSuite;

beforeAll(async () => {
  s = await startLlmSuite('llm-failures', { failureThreshold: 2, coolDownMs: COOL_DOWN_MS }, { others: 1 });
});
afterAll(() => s.close());
beforeEach(() => s.server.reset());

const attemptsOf = (nodes: any[]) => nodes.find((n) => n.key === 'ask').attempts.map((a: any) => [a.attempt, a.status, a.error?.code ?? null]);

describe('llm node failures', () => {
  it('429 then success: retried after Retry-After, every attempt listed, only the answered call billed', async () => {
    s.server.enqueue({ kind: 'error', status: 429, message: 'Slow down', headers: { 'retry-after-ms': '300' } }, { kind: 'text', text: 'second time lucky' });
    const { run, nodes } = await s.run(llmGraph({ messages: ask() }, { retry: { maxAttempts: 3, initialInterval: '100ms' } }));
    expect(run.status).toBe('succeeded');
    expect(run.outputs.text).toBe('second time lucky');
    expect(attemptsOf(nodes)).toEqual([
      [1, 'failed', 'llm_rate_limited'],
      [2, 'succeeded', null],
    ]);
    expect(nodes.find((n) => n.key === 'ask').attempts[0].error.message).toContain('Slow down');
    expect(s.server.chats()).toHaveLength(2);
    const calls = await s.h.prisma.llmCall.findMany({ where: { runId: run.id } });
    expect(calls.map((c) => c.attempt)).toEqual([2]);
    // The server asked for 300 ms: the retry waited that long, not the policy's 50 ms.
    const [first, second] = nodes.find((n) => n.key === 'ask').attempts;
    expect(Date.parse(second.startedAt) - Date.parse(first.finishedAt)).toBeGreaterThanOrEqual(250);
  });

  it('a 400 fails fast: one attempt, one request, llm_bad_request', async () => {
    s.server.enqueue({ kind: 'error', status: 400, message: "Invalid value for 'temperature'" });
    const { run, nodes } = await s.run(llmGraph({ messages: ask() }, { retry: { maxAttempts: 3, initialInterval: '100ms' } }));
    expect(run.status).toBe('failed');
    expect(run.error).toMatchObject({ code: 'llm_bad_request', nodeId: 'ask' });
    expect(run.error.message).toContain("Invalid value for 'temperature'");
    expect(attemptsOf(nodes)).toEqual([[1, 'failed', 'llm_bad_request']]);
    expect(s.server.chats()).toHaveLength(1);
  });

  it('a 404 for the model fails fast with llm_model_not_found', async () => {
    s.server.enqueue({ kind: 'error', status: 404, message: 'The model `gpt-nope` does not exist' });
    const { run, nodes } = await s.run(llmGraph({ model: 'gpt-nope', messages: ask() }, { retry: { maxAttempts: 3 } }));
    expect(run.error).toMatchObject({ code: 'llm_model_not_found' });
    expect(attemptsOf(nodes)).toHaveLength(1);
  });

  describe('circuit breaker', () => {
    let flaky: OpenAiServer;
    beforeAll(async () => {
      flaky = s.others[0]!;
      await s.addProvider('flaky', flaky.url);
    });

    const flakyRun = () => s.run(llmGraph({ provider: 'flaky', messages: ask() }));

    it('opens after consecutive failures, fails fast without calling the endpoint, and closes after the cool-down', async () => {
      flaky.rule = () => ({ kind: 'error', status: 500, message: 'upstream exploded' });
      for (let i = 0; i < 2; i++) expect((await flakyRun()).run.error.code).toBe('llm_provider_error');
      expect(flaky.chats()).toHaveLength(2);

      const refused = await flakyRun();
      expect(refused.run.error.code).toBe('llm_circuit_open');
      expect(refused.run.error.message).toMatch(new RegExp(`^The model provider at ${flaky.url} is failing; its circuit is open and it will be tried again in \\d s$`));
      expect(flaky.chats()).toHaveLength(2);
      // Another endpoint is not affected.
      s.server.enqueue({ kind: 'text', text: 'still fine here' });
      expect((await s.run(llmGraph({ messages: ask() }))).run.outputs.text).toBe('still fine here');

      // After the cool-down one trial goes through; its success closes the circuit.
      flaky.rule = () => ({ kind: 'text', text: 'back on my feet' });
      await new Promise((r) => setTimeout(r, COOL_DOWN_MS + 100));
      expect((await flakyRun()).run.outputs.text).toBe('back on my feet');
      expect((await flakyRun()).run.outputs.text).toBe('back on my feet');
      expect(flaky.chats()).toHaveLength(4);
    });

    it('an open circuit is retried by the node policy once the endpoint may be tried again', async () => {
      flaky.reset();
      flaky.rule = () => ({ kind: 'error', status: 503, message: 'overloaded' });
      for (let i = 0; i < 2; i++) await flakyRun();
      // The next run's first attempt meets the open circuit; its retry waits out the cool-down
      // (retryAfterMs) and reaches the endpoint, which has recovered.
      flaky.rule = () => ({ kind: 'text', text: 'recovered' });
      const { run, nodes } = await s.run(llmGraph({ provider: 'flaky', messages: ask() }, { retry: { maxAttempts: 2, initialInterval: '100ms' } }));
      expect(run.outputs.text).toBe('recovered');
      expect(attemptsOf(nodes)).toEqual([
        [1, 'failed', 'llm_circuit_open'],
        [2, 'succeeded', null],
      ]);
      expect(flaky.chats()).toHaveLength(3);
    });
  });

  it('a cancelled run stops a slow stream: the endpoint sees the connection close', async () => {
    const text = Array.from({ length: 400 }, (_, i) => `token${i}`).join(' ');
    s.server.enqueue({ kind: 'text', text, chunkDelayMs: 150 });
    // timeout 45s: the heartbeat timeout is 30 s, so a cancellation reaches the attempt within ~24 s
    // (the SDK's heartbeat throttle) in the worst case, long before the 60 s stream would end.
    const runId = await s.start(llmGraph({ messages: ask(), stream: true }, { timeout: '45s' }));
    await eventually(async () => (await s.events.read(runId)).some((e) => e.type === 'llm.delta'), 30_000, 100);
    // Through the API: 202 while the cancellation travels to the attempt (through its heartbeat).
    const cancel = await s.api('POST', `/v1/runs/${runId}/cancel`);
    expect([200, 202]).toContain(cancel.status);

    const req = await eventually(async () => s.server.chats().find((r) => r.closedEarly), 40_000, 100);
    expect(req.chunksSent).toBeLessThan(400);
    const done = await eventually(async () => {
      const r = (await s.api('GET', `/v1/runs/${runId}`)).body.data;
      return r.status === 'cancelled' && r;
    }, 30_000);
    expect(done.error).toMatchObject({ code: 'run_cancelled' });
    // Cancelling again is answered as it is; pausing an ended run is a conflict that names its status.
    expect((await s.api('POST', `/v1/runs/${runId}/cancel`)).status).toBe(200);
    const pause = await s.api('POST', `/v1/runs/${runId}/pause`);
    expect([pause.status, pause.body.code, pause.body.details]).toEqual([409, 'run_state_conflict', { status: 'cancelled' }]);
    // What streamed before the cancel was spent: the call is recorded with an estimate.
    const call = await eventually(async () => (await s.h.prisma.llmCall.findMany({ where: { runId } }))[0], 30_000);
    expect(call.finishReason).toBe('cancelled');
    expect(call.outputTokens).toBeGreaterThan(0);
    expect(call.outputTokens).toBeLessThan(400);
  }, 120_000);
});
