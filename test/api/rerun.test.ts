import { randomUUID } from 'node:crypto';
import { RunEventStream, SecretCipher, createCodeExecutor, createHttpExecutor, createLlmExecutor, type NodeExecutor } from '@weft/activities';
import { end, graph, start, type N } from '../support/graph-builder';
import { eventually, httpClient, publishGraph, resetDatabase, silentLogger, startHarness, type ApiClient, type Harness } from '../support/harness';
import { startHttpTarget, type HttpTarget } from '../support/http-target';
import { allowEntry } from '../support/llm-suite';
import { startOpenAiServer, type OpenAiServer } from '../support/openai-server';
import { testEnv } from '../support/test-env';

/**
 * Rerun from a node through the real API and worker: the LLM is the local OpenAI-compatible
 * server, the http-request node's target a local server, code runs in the real sandbox (counted
 * on its way in). What a rerun reuses must reach none of them again.
 */
let h: Harness;
let tight: Harness;
let api: ApiClient;
let llmServer: OpenAiServer;
let target: HttpTarget;
let stopWorker: () => Promise<void>;
const code = createCodeExecutor({ timeoutMs: 5_000, memoryLimitBytes: 32 * 1024 * 1024 });
/** run id:node key of every code execution */
const codeRuns: string[] = [];
const countedCode: NodeExecutor = (input, signal) => {
  codeRuns.push(`${input.runId}:${input.node.key}`);
  return code(input, signal);
};

beforeAll(async () => {
  llmServer = await startOpenAiServer();
  target = await startHttpTarget();
  h = await startHarness('rerun');
  await resetDatabase(h.prisma);
  const llm = createLlmExecutor({
    prisma: h.prisma,
    redis: h.redis,
    events: new RunEventStream(h.redis),
    logger: silentLogger,
    cipher: new SecretCipher(testEnv.encryptionKey),
    breaker: { prefix: `weft-test-${randomUUID().slice(0, 8)}` },
    allowlist: [allowEntry(llmServer)],
  });
  stopWorker = (await h.startWorker({ llm, code: countedCode, 'http-request': createHttpExecutor({ allowlist: [`127.0.0.1:${target.port}`] }) })).stop;
  // A second API on the same database and task queue whose runs may carry at most 150,000 bytes.
  tight = await startHarness('rerun-tight', { TEMPORAL_TASK_QUEUE: h.taskQueue, WEFT_MAX_PAYLOAD_BYTES: '150000' });
  api = httpClient(h.url, await h.key('acme'));
  const provider = await api('POST', '/v1/model-providers', { name: 'local', type: 'openai', baseUrl: llmServer.url, apiKey: 'sk-provider-rerun' });
  expect(provider.status).toBe(201);
});
afterAll(async () => {
  await stopWorker?.();
  await tight?.close();
  await h?.close();
  await code.close();
  await llmServer?.close();
  await target?.close();
});

const BODY_BYTES = 200_000;
const codeNode = (id: string, source: string, inputs: Record<string, unknown>, extra: Record<string, unknown> = {}): N => ({ id, type: 'code', data: { language: 'javascript', code: source, inputs }, ...extra });

/**
 * start → ask (llm) → fetch (http, a body kept outside history) → route (if-else on the status)
 * → calc (code; throws while the input `mode` is "boom") or other → end. Only calc reads `mode`.
 */
function pipeline() {
  return graph(
    [
      start,
      { id: 'ask', type: 'llm', data: { model: 'gpt-test', messages: [{ role: 'user', content: 'Tell me about {{ start.topic }}' }] }, retry: { maxAttempts: 1, initialInterval: '100ms' } },
      { id: 'fetch', type: 'http-request', data: { url: target.url(`/sized?bytes=${BODY_BYTES}`), query: { about: '{{ ask.text }}' } } },
      { id: 'route', type: 'if-else', data: { cases: [{ id: 'ok', logic: 'and', conditions: [{ left: '{{ fetch.status }}', op: 'eq', right: 200 }] }] } },
      codeNode('calc', "function main(i) { if (i.mode === 'boom') throw new Error('boom'); return { size: i.body.length, answer: i.answer } }", { body: '{{ fetch.body }}', answer: '{{ ask.text }}', mode: '{{ start.mode }}' }),
      { id: 'other', type: 'template', data: { template: 'status {{ fetch.status }}' } },
      end({ size: '{{ calc.size }}', answer: '{{ calc.answer }}', other: '{{ other.text }}' }),
    ],
    [['start', 'ask'], ['ask', 'fetch'], ['fetch', 'route'], ['route', 'calc', 'ok'], ['route', 'other', 'else'], ['calc', 'end'], ['other', 'end']],
    { topic: { type: 'string', default: 'reruns' }, mode: { type: 'string', default: 'boom' } },
  );
}

async function ended(client: ApiClient, runId: string) {
  return eventually(async () => {
    const r = await client('GET', `/v1/runs/${runId}`);
    return ['succeeded', 'partially-succeeded', 'failed', 'cancelled', 'timed-out'].includes(r.body.data.status) && r.body.data;
  }, 60_000);
}

async function nodesOf(runId: string): Promise<any[]> {
  return (await api('GET', `/v1/runs/${runId}/nodes`)).body.data;
}

describe('rerun from a failed node', () => {
  let originId: string;
  let workflowId: string;

  beforeAll(async () => {
    workflowId = await publishGraph(api, pipeline(), 'rerun-pipeline');
    const r = await api('POST', `/v1/workflows/${workflowId}/runs`, { inputs: {}, mode: 'blocking', timeoutMs: 60_000 });
    expect(r.status).toBe(200);
    originId = r.body.data.id;
    expect(r.body.data).toMatchObject({ status: 'failed', error: { code: 'code_runtime_error', nodeId: 'calc' }, originRunId: null, rerunFromNodeId: null });
  });

  it('reuses the LLM, HTTP and branch outcomes and runs only the failed node and what follows', async () => {
    const before = { chats: llmServer.chats().length, fetches: target.seen.length, code: codeRuns.length };
    expect(before).toEqual({ chats: 1, fetches: 1, code: 1 });
    const key = `rerun-${randomUUID()}`;
    const res = await api('POST', `/v1/runs/${originId}/rerun`, { fromNodeId: 'calc', inputs: { mode: 'fine' } }, { 'idempotency-key': key });
    expect(res.status).toBe(202);
    const rerunId = res.body.data.id;
    expect(res.headers.get('location')).toBe(`/v1/runs/${rerunId}`);
    expect(res.body.data).toMatchObject({ workflowId, version: 1, originRunId: originId, rerunFromNodeId: 'calc', inputs: { topic: 'reruns', mode: 'fine' } });

    const run = await ended(api, rerunId);
    expect(run).toMatchObject({ status: 'succeeded', outputs: { size: BODY_BYTES, answer: 'You said: Tell me about reruns', other: null } });
    // No reused node reached the model, the target or the sandbox again: one code execution, the rerun's calc.
    expect({ chats: llmServer.chats().length, fetches: target.seen.length }).toEqual({ chats: 1, fetches: 1 });
    expect(codeRuns).toEqual([`${originId}:calc`, `${rerunId}:calc`]);
    // Started like any run: found by tenant, workflow and status in Temporal's visibility.
    await eventually(async () => {
      const found: string[] = [];
      for await (const w of h.temporal.workflow.list({ query: `WeftWorkflowId='${workflowId}' AND WeftRunStatus='succeeded'` })) found.push(w.workflowId);
      return found.includes(run.temporal.workflowId);
    }, 20_000, 250);

    const nodes = await nodesOf(rerunId);
    const byKey = Object.fromEntries(nodes.map((n) => [n.key, n]));
    expect(nodes.map((n) => [n.key, n.status])).toEqual([
      ['ask', 'reused'],
      ['fetch', 'reused'],
      ['route', 'reused'],
      // not before calc, so not reused: skipped again, by the branch route took
      ['other', 'skipped'],
      ['start', 'succeeded'],
      ['calc', 'succeeded'],
      ['end', 'succeeded'],
    ]);
    expect(byKey.ask).toMatchObject({ attempts: [], outputs: { text: 'You said: Tell me about reruns' } });
    expect(byKey.route.outputs).toEqual({ result: 'ok' });
    // The large body was copied to the rerun (its own blob, signed anew) and reads whole.
    expect(byKey.fetch.outputs.body).toHaveLength(BODY_BYTES);
    const blobs = await h.prisma.runBlob.findMany({ where: { runId: rerunId } });
    expect(blobs).toHaveLength(1);
    const originBlob = await h.prisma.runBlob.findFirstOrThrow({ where: { runId: originId } });
    expect(blobs[0]!.id).not.toBe(originBlob.id);
    expect(blobs[0]!.size).toBe(originBlob.size);
    expect((await h.prisma.nodeExecution.findFirstOrThrow({ where: { runId: rerunId, key: 'fetch' } })).outputs).toMatchObject({ body: { $weftBlob: blobs[0]!.id } });

    // The link both ways, and the same request again answers with the same rerun.
    const reruns = await api('GET', `/v1/runs?originRunId=${originId}`);
    expect(reruns.body.data.map((r: any) => r.id)).toEqual([rerunId]);
    const again = await api('POST', `/v1/runs/${originId}/rerun`, { fromNodeId: 'calc', inputs: { mode: 'fine' } }, { 'idempotency-key': key });
    expect(again.status).toBe(202);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body.data.id).toBe(rerunId);
    const other = await api('POST', `/v1/runs/${originId}/rerun`, { fromNodeId: 'calc', inputs: { mode: 'other' } }, { 'idempotency-key': key });
    expect([other.status, other.body.code]).toEqual([422, 'idempotency_key_reused']);
  });

  it('refuses an unknown node, an ancestor that failed, inputs a reused node reads, a viewer and another tenant', async () => {
    const unknown = await api('POST', `/v1/runs/${originId}/rerun`, { fromNodeId: 'nope' });
    expect([unknown.status, unknown.body.code]).toEqual([422, 'rerun_node_unknown']);
    expect(unknown.body.message).toBe("node 'nope' is not a node of the run's graph");

    const afterFailure = await api('POST', `/v1/runs/${originId}/rerun`, { fromNodeId: 'end' });
    expect([afterFailure.status, afterFailure.body.code]).toEqual([422, 'rerun_not_possible']);
    expect(afterFailure.body.details.issues).toEqual([expect.objectContaining({ nodeId: 'calc', message: `node 'calc', which precedes it, failed in run ${originId}` })]);

    const conflict = await api('POST', `/v1/runs/${originId}/rerun`, { fromNodeId: 'calc', inputs: { topic: 'other things', mode: 'fine' } });
    expect([conflict.status, conflict.body.code]).toEqual([422, 'rerun_inputs_conflict']);
    expect(conflict.body.message).toBe("Changed inputs 'topic' are read by nodes whose recorded outputs would be reused: 'ask'");
    expect(conflict.body.details.issues).toEqual([expect.objectContaining({ nodeId: 'ask', path: ['body', 'inputs', 'topic'] })]);

    const invalid = await api('POST', `/v1/runs/${originId}/rerun`, { fromNodeId: 'calc', inputs: { mode: 3 } });
    expect([invalid.status, invalid.body.code]).toEqual([422, 'run_invalid_inputs']);
    const viewer = await httpClient(h.url, await h.key('acme', 'viewer'))('POST', `/v1/runs/${originId}/rerun`, { fromNodeId: 'calc' });
    expect([viewer.status, viewer.body.code]).toEqual([403, 'forbidden']);
    const stranger = await httpClient(h.url, await h.key('other-co'))('POST', `/v1/runs/${originId}/rerun`, { fromNodeId: 'calc' });
    expect([stranger.status, stranger.body.code]).toEqual([404, 'run_not_found']);
    // None of the refusals started a run.
    expect((await h.prisma.run.count({ where: { originRunId: originId } }))).toBe(1);
  });
});

describe('rerun preconditions and bounds', () => {
  it('answers 409 with the status while the origin has not ended', async () => {
    const id = await publishGraph(api, graph([start, { id: 'hold', type: 'wait', data: { duration: '1h' } }, end({})], [['start', 'hold'], ['hold', 'end']]), 'rerun-hold');
    const started = await api('POST', `/v1/workflows/${id}/runs`, { inputs: {} });
    const runId = started.body.data.id;
    await eventually(async () => (await api('GET', `/v1/runs/${runId}`)).body.data.status === 'running');
    const res = await api('POST', `/v1/runs/${runId}/rerun`, { fromNodeId: 'hold' });
    expect([res.status, res.body.code, res.body.details]).toEqual([409, 'run_state_conflict', { status: 'running' }]);
    await h.temporal.workflow.getHandle(started.body.data.temporal.workflowId).terminate('test over');
  });

  it('reruns a run of the draft with the graph it ran, not the draft as it is now; operators may not', async () => {
    const first = graph([start, codeNode('one', 'function main() { return { v: 1 } }', {}), codeNode('two', 'function main(i) { return { v: i.v + 1 } }', { v: '{{ one.v }}' }), end({ v: '{{ two.v }}', from: 'first draft' })], [['start', 'one'], ['one', 'two'], ['two', 'end']]);
    const created = await api('POST', '/v1/workflows', { name: 'rerun-draft', graph: first });
    const id = created.body.data.id;
    const run = await api('POST', `/v1/workflows/${id}/runs`, { version: 'draft', mode: 'blocking', timeoutMs: 30_000 });
    expect(run.body.data).toMatchObject({ status: 'succeeded', outputs: { v: 2, from: 'first draft' } });
    const changed = { ...first, nodes: first.nodes.map((n) => (n.id === 'end' ? end({ v: '{{ two.v }}', from: 'second draft' }) : n)) };
    expect((await api('PUT', `/v1/workflows/${id}/draft`, { graph: changed })).status).toBe(200);

    const operator = await httpClient(h.url, await h.key('acme', 'operator'))('POST', `/v1/runs/${run.body.data.id}/rerun`, { fromNodeId: 'two' });
    expect([operator.status, operator.body.code]).toEqual([403, 'forbidden']);
    const res = await api('POST', `/v1/runs/${run.body.data.id}/rerun`, { fromNodeId: 'two' });
    expect(res.body.data).toMatchObject({ version: 'draft', originRunId: run.body.data.id });
    const rerun = await ended(api, res.body.data.id);
    expect(rerun).toMatchObject({ status: 'succeeded', outputs: { v: 2, from: 'first draft' } });
    expect(codeRuns.filter((c) => c.startsWith(`${res.body.data.id}:`))).toEqual([`${res.body.data.id}:two`]);
  });

  it('keeps the workflow input within WEFT_MAX_PAYLOAD_BYTES: large reused outputs go as blobs of the rerun', async () => {
    // Three templates of ~60 KB each: their outputs (180 KB) do not fit in a 150,000-byte input.
    const big = (id: string, ch: string): N => ({ id, type: 'template', data: { template: `{% for i in (1..600) %}${ch.repeat(100)}{% endfor %}` } });
    const g = graph(
      [start, big('b1', 'a'), big('b2', 'b'), big('b3', 'c'), codeNode('sum', "function main(i) { if (i.mode === 'boom') throw new Error('boom'); return { n: i.x.length + i.y.length + i.z.length, head: i.x[0] + i.y[0] + i.z[0] } }", { x: '{{ b1.text }}', y: '{{ b2.text }}', z: '{{ b3.text }}', mode: '{{ start.mode }}' }), end({ n: '{{ sum.n }}', head: '{{ sum.head }}' })],
      [['start', 'b1'], ['b1', 'b2'], ['b2', 'b3'], ['b3', 'sum'], ['sum', 'end']],
      { mode: { type: 'string', default: 'boom' } },
    );
    const id = await publishGraph(api, g, 'rerun-large');
    const origin = await api('POST', `/v1/workflows/${id}/runs`, { mode: 'blocking', timeoutMs: 60_000 });
    expect(origin.body.data).toMatchObject({ status: 'failed', error: { nodeId: 'sum' } });

    const tightApi = httpClient(tight.url, await tight.key('acme'));
    const res = await tightApi('POST', `/v1/runs/${origin.body.data.id}/rerun`, { fromNodeId: 'sum', inputs: { mode: 'fine' } });
    expect(res.status).toBe(202);
    const rerun = await ended(tightApi, res.body.data.id);
    expect(rerun).toMatchObject({ status: 'succeeded', outputs: { n: 180_000, head: 'abc' } });
    // The largest output went out first, and that was enough; the input Temporal got is within the bound.
    expect(await h.prisma.runBlob.count({ where: { runId: res.body.data.id } })).toBe(1);
    const history = await h.temporal.workflow.getHandle(res.body.data.temporal.workflowId).fetchHistory();
    const startedInput = history.events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads![0]!.data!;
    expect(startedInput.length).toBeLessThanOrEqual(150_000);
    expect(startedInput.length).toBeGreaterThan(100_000);
    // The records keep the values themselves.
    expect((await nodesOf(res.body.data.id)).find((n) => n.key === 'b3')).toMatchObject({ status: 'reused', outputs: { text: 'c'.repeat(60_000) } });

    // What cannot fit even so is refused plainly: the graph alone is larger than the bound.
    const huge = graph([start, { id: 'note', type: 'template', data: { template: 'x'.repeat(90_000) } }, { id: 'note2', type: 'template', data: { template: 'y'.repeat(90_000) } }, end({})], [['start', 'note'], ['note', 'note2'], ['note2', 'end']]);
    const hugeId = await publishGraph(api, huge, 'rerun-huge');
    const hugeRun = await api('POST', `/v1/workflows/${hugeId}/runs`, { mode: 'blocking', timeoutMs: 30_000 });
    expect(hugeRun.body.data.status).toBe('succeeded');
    const refused = await tightApi('POST', `/v1/runs/${hugeRun.body.data.id}/rerun`, { fromNodeId: 'end' });
    expect([refused.status, refused.body.code]).toEqual([422, 'rerun_not_possible']);
    expect(refused.body.message).toContain('WEFT_MAX_PAYLOAD_BYTES');
  });
});
