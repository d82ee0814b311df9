import { createCodeExecutor, type CodeExecutor } from '@weft/activities';
import { end, graph, start, tpl, type N } from '../support/graph-builder';
import { eventually, publishGraph, runGraph, useSuiteHarness } from '../support/harness';

// The real code executor (QuickJS in child processes) behind the real worker, driven through the API.
const executor: CodeExecutor = createCodeExecutor({ timeoutMs: 500, memoryLimitBytes: 16 * 1024 * 1024 });
const suite = useSuiteHarness('code-node', { code: executor });
afterAll(() => executor.close());

const run = (g: unknown, inputs: Record<string, unknown> = {}) => runGraph(suite.api, g, inputs, 60_000);

const codeNode = (id: string, code: string, inputs: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): N => ({
  id,
  type: 'code',
  data: { language: 'javascript', code, inputs },
  ...extra,
});

describe('code node', () => {
  it('runs main(inputs) and its outputs feed a template', async () => {
    const calc = codeNode(
      'calc',
      `async function main({ name, n }) {
        const squares = Array.from({ length: n }, (_, i) => (i + 1) ** 2);
        return { greeting: 'Hello, ' + name + '!', squares, stats: { sum: squares.reduce((a, b) => a + b, 0) } };
      }`,
      { name: '{{ start.name }}', n: '{{ start.n }}' },
    );
    const g = graph(
      [start, calc, tpl('show', '{{ calc.greeting }} {% for s in calc.squares %}{{ s }} {% endfor %}= {{ calc.stats.sum }}'), end({ text: '{{ show.text }}', squares: '{{ calc.squares }}' })],
      [['start', 'calc'], ['calc', 'show'], ['show', 'end']],
      { name: { type: 'string', required: true }, n: { type: 'number', default: 3 } },
    );
    const { run: r, nodes } = await run(g, { name: 'Weft' });
    expect(r.status).toBe('succeeded');
    expect(r.outputs).toEqual({ text: 'Hello, Weft! 1 4 9 = 14', squares: [1, 4, 9] });
    const node = nodes.find((n) => n.key === 'calc');
    expect(node).toMatchObject({ type: 'code', status: 'succeeded', outputs: { greeting: 'Hello, Weft!', squares: [1, 4, 9], stats: { sum: 14 } } });
    expect(node.attempts).toHaveLength(1);
  });

  it('an escape attempt fails the node with its code, without retries, and the run fails', async () => {
    const escape = codeNode('escape', `function main() { return { env: this.constructor.constructor('return process')().env } }`, {}, { retry: { maxAttempts: 3, initialInterval: '100ms' } });
    const { run: r, nodes } = await run(graph([start, escape, end({ env: '{{ escape.env }}' })], [['start', 'escape'], ['escape', 'end']]));
    expect(r.status).toBe('failed');
    expect(r.error).toMatchObject({ code: 'code_runtime_error', nodeId: 'escape', message: "ReferenceError: 'process' is not defined" });
    const node = nodes.find((n) => n.key === 'escape');
    expect(node).toMatchObject({ status: 'failed', error: { code: 'code_runtime_error' } });
    // Non-retryable: one attempt although the node allows three.
    expect(node.attempts).toHaveLength(1);
    expect(node.attempts[0]).toMatchObject({ status: 'failed', error: { code: 'code_runtime_error' } });
  });

  it('onError "default" on a timeout gives the default outputs and a partially-succeeded run', async () => {
    const spin = codeNode('spin', 'function main() { while (true) {} }', {}, { onError: 'default', default: { answer: 'fallback' } });
    const { run: r, nodes } = await run(graph([start, spin, tpl('say', 'got {{ spin.answer }}'), end({ said: '{{ say.text }}' })], [['start', 'spin'], ['spin', 'say'], ['say', 'end']]));
    expect(r.status).toBe('partially-succeeded');
    expect(r.outputs).toEqual({ said: 'got fallback' });
    const node = nodes.find((n) => n.key === 'spin');
    expect(node).toMatchObject({ status: 'defaulted', outputs: { answer: 'fallback' } });
    expect(node.attempts[0]).toMatchObject({ status: 'failed', error: { code: 'code_timeout' } });
  });

  it('a syntax error and a missing main fail with their own codes', async () => {
    const broken = codeNode('broken', 'function main( {', {}, { onError: 'branch' });
    const g = graph(
      [start, broken, tpl('why', '{{ broken.error.code }}'), end({ why: '{{ why.text }}' })],
      [['start', 'broken'], ['broken', 'why', 'error'], ['why', 'end']],
    );
    expect((await run(g)).run.outputs).toEqual({ why: 'code_syntax_error' });
    const missing = codeNode('missing', 'const x = 1;');
    const { run: r } = await run(graph([start, missing, end({})], [['start', 'missing'], ['missing', 'end']]));
    expect(r.error).toMatchObject({ code: 'code_main_missing', nodeId: 'missing' });
  });

  it('cancelling the run kills the code that is running', async () => {
    const slow = createCodeExecutor({ timeoutMs: 30_000 });
    const worker = await suite.h.startWorker({ code: slow });
    await suite.stopWorker();
    try {
      const id = await publishGraph(suite.api, graph([start, codeNode('spin', 'function main() { while (true) {} }', {}, { timeout: '60s' }), end({})], [['start', 'spin'], ['spin', 'end']]));
      const started = await suite.api('POST', `/v1/workflows/${id}/runs`, { inputs: {}, mode: 'async' });
      expect(started.status).toBe(202);
      const pid = await eventually(async () => slow.sandbox.busyPids()[0], 20_000, 50);
      const runRecord = (await suite.api('GET', `/v1/runs/${started.body.data.id}`)).body.data;
      await suite.h.temporal.workflow.getHandle(runRecord.temporal.workflowId).cancel();
      // The cancellation reaches the activity with its next heartbeat and kills the child.
      await eventually(async () => {
        try {
          process.kill(pid, 0);
          return false;
        } catch {
          return true;
        }
      }, 20_000, 100);
      const status = await eventually(async () => {
        const s = (await suite.api('GET', `/v1/runs/${started.body.data.id}`)).body.data.status;
        return ['cancelled', 'failed'].includes(s) && s;
      }, 20_000);
      expect(status).toBe('cancelled');
    } finally {
      await worker.stop();
      await slow.close();
      suite.stopWorker = (await suite.h.startWorker({ code: executor })).stop;
    }
  });
});
