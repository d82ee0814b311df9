import { WorkflowFailedError } from '@temporalio/client';
import { RUN_WORKFLOW_TYPE, type RunWorkflowInput, type RunWorkflowResult } from '@weft/domain';
import { runInput, statuses, useUnitEnv } from './support/unit-env';

const env = useUnitEnv('scheduler');

type N = Record<string, unknown> & { id: string; type: string };
const graph = (nodes: N[], edges: [string, string, string?][], inputs: Record<string, unknown> = {}) => ({
  dsl: 'weft/v1',
  inputs,
  nodes,
  edges: edges.map(([source, target, sourceHandle]) => ({ source, target, ...(sourceHandle ? { sourceHandle } : {}) })),
});
const start: N = { id: 'start', type: 'start' };
const end = (outputs: Record<string, unknown>, id = 'end'): N => ({ id, type: 'end', data: { outputs } });
const tpl = (id: string, template: string): N => ({ id, type: 'template', data: { template } });
const code = (id: string, inputs: Record<string, unknown>, extra: Record<string, unknown> = {}): N => ({
  id,
  type: 'code',
  data: { language: 'javascript', code: 'function main(i) { return i; }', inputs },
  ...extra,
});
const ifFlag: N = { id: 'check', type: 'if-else', data: { cases: [{ id: 'yes', logic: 'and', conditions: [{ left: '{{ start.flag }}', op: 'eq', right: true }] }] } };

describe('readiness and skipping', () => {
  it('skips a branch not taken through several levels and runs the join after it once', async () => {
    const g = graph(
      [start, ifFlag, tpl('x', 'x'), tpl('y', '{{ x.text }}y'), tpl('z', '{{ y.text }}z'), tpl('other', 'o'), tpl('join', 'joined'), end({ j: '{{ join.text }}', z: '{{ z.text }}' })],
      [['start', 'check'], ['check', 'x', 'yes'], ['x', 'y'], ['y', 'z'], ['check', 'other', 'else'], ['z', 'join'], ['other', 'join'], ['join', 'end']],
      { flag: { type: 'boolean', default: false } },
    );
    const { result, log } = await env.run({ graph: g });
    expect(result).toMatchObject({ status: 'succeeded', outputs: { j: 'joined', z: null } });
    expect(statuses(log)).toMatchObject({ x: 'skipped', y: 'skipped', z: 'skipped', other: 'succeeded', join: 'succeeded', end: 'succeeded' });
    expect([...log.records.values()].filter((r) => r.key === 'join')).toHaveLength(1);
  });

  it('starts parallel branches together and waits for all of them before a fan-in node', async () => {
    const g = graph(
      [start, code('a', { value: 'A' }), code('b', { value: 'B' }), code('c', { value: 'C' }), tpl('fan', '{{ a.value }}{{ b.value }}{{ c.value }}'), end({ all: '{{ fan.text }}' })],
      [['start', 'a'], ['start', 'b'], ['start', 'c'], ['a', 'fan'], ['b', 'fan'], ['c', 'fan'], ['fan', 'end']],
    );
    const { result, log } = await env.run({ graph: g, activities: { a: { delayMs: 400, outputs: { value: 'A' } }, c: { delayMs: 150, outputs: { value: 'C' } } } });
    expect(result.outputs).toEqual({ all: 'ABC' });
    const seq = (key: string) => log.records.get(key)!.seq;
    expect(seq('b')).toBeLessThan(seq('c'));
    expect(seq('c')).toBeLessThan(seq('a'));
    expect(seq('fan')).toBeGreaterThan(seq('a'));
    // All three were scheduled before the slowest finished: they ran concurrently.
    const scheduled = env.fakes.calls.map((c) => c.scheduledAtMs);
    expect(Math.max(...scheduled) - Math.min(...scheduled)).toBeLessThan(400);
  });

  it('a failing branch fails the run and stops the siblings still in flight', async () => {
    const g = graph(
      [start, code('bad', { fail: 'broken' }), { id: 'hold', type: 'wait', data: { duration: '1d' } }, code('late', { value: 1 }), end({})],
      [['start', 'bad'], ['start', 'hold'], ['hold', 'late'], ['bad', 'end'], ['late', 'end']],
    );
    const { result, log } = await env.run({ graph: g });
    expect(result).toMatchObject({ status: 'failed', error: { code: 'code_runtime_error', nodeId: 'bad' } });
    expect(env.fakes.callsOf('late')).toHaveLength(0);
    expect(log.records.has('hold')).toBe(false);
  });
});

describe('run-wide limits', () => {
  it('fails the whole run past maxNodeExecutions, whatever the node onError says', async () => {
    const g = graph(
      [start, code('one', { value: 1 }), code('two', { value: 2 }, { onError: 'default', default: { value: 0 } }), code('three', { value: 3 }, { onError: 'default', default: { value: 0 } }), end({})],
      [['start', 'one'], ['one', 'two'], ['two', 'three'], ['three', 'end']],
    );
    const { result } = await env.run({ graph: g, limits: { maxNodeExecutions: 3 } });
    expect(result).toMatchObject({ status: 'failed', error: { code: 'run_node_limit_exceeded' } });
    expect(env.fakes.callsOf('three')).toHaveLength(0);
  });
});

describe('node records', () => {
  it('writes records of pure nodes in batches between activities, and every node is recorded once', async () => {
    const inner = { nodes: [{ id: 's1', type: 'start' }, tpl('t', '{{ each.item }}'), end({}, 'e1')], edges: [{ source: 's1', target: 't' }, { source: 't', target: 'e1' }] };
    const g = graph(
      [start, { id: 'each', type: 'iteration', data: { items: '{{ start.items }}', parallelism: 5, output: '{{ t.text }}', graph: inner } }, code('after', { n: '{{ each.results }}' }), end({ n: '{{ after.n }}' })],
      [['start', 'each'], ['each', 'after'], ['after', 'end']],
      { items: { type: 'array', required: true } },
    );
    const items = Array.from({ length: 80 }, (_, i) => i);
    const { result, log } = await env.run({ graph: g, inputs: { items } });
    expect(result.status).toBe('succeeded');
    expect(result.outputs.n).toEqual(items.map(String));
    // 80 items × 3 inner nodes: more than one batch's worth, so some were written before the activity.
    expect(log.batches).toBeGreaterThanOrEqual(1);
    expect(log.records.size).toBe(80 * 3 + 4);
    expect(log.records.get('t[each=79]')).toMatchObject({ status: 'succeeded', outputs: { text: '79' }, iterationIndex: 79 });
  });
});

describe('cancellation', () => {
  it('a run cancelled during a wait records its end as cancelled', async () => {
    env.fakes.prepare();
    const input: RunWorkflowInput = runInput({ graph: graph([start, { id: 'hold', type: 'wait', data: { duration: '30d' } }, end({})], [['start', 'hold'], ['hold', 'end']]) });
    const handle = await env.client.start<(i: RunWorkflowInput) => Promise<RunWorkflowResult>>(RUN_WORKFLOW_TYPE, { taskQueue: env.taskQueue, workflowId: `weft-${input.runId}`, args: [input] });
    // Time is not skipped until a result is awaited: the run sits in its wait.
    for (let i = 0; i < 100 && !env.fakes.run(input.runId).started; i++) await new Promise((r) => setTimeout(r, 50));
    expect(env.fakes.run(input.runId).started).toBeDefined();
    await handle.cancel();
    await expect(handle.result()).rejects.toBeInstanceOf(WorkflowFailedError);
    expect(env.fakes.run(input.runId).finished).toEqual([{ status: 'cancelled', outputs: {}, error: { code: 'run_cancelled', message: 'The run was cancelled' } }]);
  });
});

describe("the run's start record", () => {
  it('a graph of nodes that never wait writes its start with its end, in one local activity', async () => {
    const { result, log } = await env.run({ graph: graph([start, tpl('greet', 'hi {{ start.name }}'), end({ g: '{{ greet.text }}' })], [['start', 'greet'], ['greet', 'end']], { name: { type: 'string' } }), inputs: { name: 'a' } });
    expect(result).toMatchObject({ status: 'succeeded', outputs: { g: 'hi a' } });
    expect(log.started).toMatchObject({ withEnd: true, temporalRunId: expect.any(String), startedAt: expect.any(String) });
    expect(log.finished).toHaveLength(1);
  });

  it('a run started without startWithEnd (as every run before it) writes its start first, whatever its graph', async () => {
    const { result, log } = await env.run({ graph: graph([start, tpl('greet', 'hi'), end({ g: '{{ greet.text }}' })], [['start', 'greet'], ['greet', 'end']]), startWithEnd: false });
    expect(result.status).toBe('succeeded');
    expect(log.started).toMatchObject({ temporalRunId: expect.any(String) });
    expect(log.started!.withEnd).toBeUndefined();
  });

  it('a graph with a node that waits (an activity) writes its start first, on its own', async () => {
    const { result, log } = await env.run({ graph: graph([start, code('c', { value: 1 }), end({ v: '{{ c.value }}' })], [['start', 'c'], ['c', 'end']]) });
    expect(result.status).toBe('succeeded');
    expect(log.started).toMatchObject({ temporalRunId: expect.any(String) });
    expect(log.started!.withEnd).toBeUndefined();
  });

  it('an activity inside an iteration counts: the start is written first', async () => {
    const inner = { nodes: [{ id: 's1', type: 'start' }, code('c', { value: '{{ each.item }}' }), end({}, 'e1')], edges: [{ source: 's1', target: 'c' }, { source: 'c', target: 'e1' }] };
    const g = graph([start, { id: 'each', type: 'iteration', data: { items: '{{ start.items }}', output: '{{ c.value }}', graph: inner } }, end({ n: '{{ each.results }}' })], [['start', 'each'], ['each', 'end']], { items: { type: 'array', required: true } });
    const { result, log } = await env.run({ graph: g, inputs: { items: [1, 2] } });
    expect(result).toMatchObject({ status: 'succeeded', outputs: { n: [1, 2] } });
    expect(log.started!.withEnd).toBeUndefined();
  });

  it('a graph that never waits but must pause (its activation budget spent) writes its start before the first pause', async () => {
    const inner = { nodes: [{ id: 's1', type: 'start' }, tpl('t', '{{ each.item }}'), end({}, 'e1')], edges: [{ source: 's1', target: 't' }, { source: 't', target: 'e1' }] };
    const g = graph([start, { id: 'each', type: 'iteration', data: { items: '{{ start.items }}', parallelism: 10, output: '{{ t.text }}', graph: inner } }, end({ n: '{{ each.results }}' })], [['start', 'each'], ['each', 'end']], { items: { type: 'array', required: true } });
    const items = Array.from({ length: 60 }, (_, i) => i);
    // 60 items × 3 nodes × 200 units: more than two budgets of 10,000.
    const { result, log } = await env.run({ graph: g, inputs: { items }, limits: { activationSteps: 10_000 } });
    expect(result).toMatchObject({ status: 'succeeded', outputs: { n: items.map(String) } });
    expect(env.fakes.pauses).toBeGreaterThanOrEqual(2);
    expect(log.started).toMatchObject({ temporalRunId: expect.any(String) });
    expect(log.started!.withEnd).toBeUndefined();
  });
});
