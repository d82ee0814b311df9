import { RUN_WORKFLOW_TYPE, planRerun, type RunWorkflowInput, type RunWorkflowResult } from '@weft/domain';
import { runInput, statuses, useUnitEnv } from './support/unit-env';

const env = useUnitEnv('rerun-seed');

type N = Record<string, unknown> & { id: string; type: string };
const code = (id: string, inputs: Record<string, unknown>, extra: Record<string, unknown> = {}): N => ({
  id,
  type: 'code',
  data: { language: 'javascript', code: 'function main(i) { return i; }', inputs },
  ...extra,
});

/**
 * start → a → check (if-else) → big | small (fails, onError default) → join → last → end. `last`
 * fails while the input `fail` is set; nothing else reads it.
 */
const g = {
  dsl: 'weft/v1',
  inputs: { n: { type: 'number', default: 1 }, fail: { type: 'string', default: '' } },
  nodes: [
    { id: 'start', type: 'start' },
    code('a', { value: '{{ start.n }}' }),
    { id: 'check', type: 'if-else', data: { cases: [{ id: 'big', logic: 'and', conditions: [{ left: '{{ a.value }}', op: 'gt', right: 1 }] }] } },
    code('big', { value: 'big' }),
    code('small', { fail: 'no luck' }, { onError: 'default', default: { value: 'fallback' } }),
    { id: 'join', type: 'template', data: { template: '{{ a.value }}:{{ big.value }}{{ small.value }}' } },
    code('last', { fail: '{{ start.fail }}', joined: '{{ join.text }}' }),
    { id: 'end', type: 'end', data: { outputs: { joined: '{{ last.joined }}' } } },
  ],
  edges: [
    { source: 'start', target: 'a' },
    { source: 'a', target: 'check' },
    { source: 'check', target: 'big', sourceHandle: 'big' },
    { source: 'check', target: 'small', sourceHandle: 'else' },
    { source: 'big', target: 'join' },
    { source: 'small', target: 'join' },
    { source: 'join', target: 'last' },
    { source: 'last', target: 'end' },
  ],
};

async function execute(input: RunWorkflowInput): Promise<RunWorkflowResult> {
  return env.client.execute<(i: RunWorkflowInput) => Promise<RunWorkflowResult>>(RUN_WORKFLOW_TYPE, { taskQueue: env.taskQueue, workflowId: `weft-${input.runId}`, args: [input] });
}

describe('a rerun seeded from its origin records', () => {
  it('takes over what ran before the node, branch and default included, and runs only the rest', async () => {
    const origin = await env.run({ graph: g, inputs: { fail: 'boom' } });
    expect(origin.result).toMatchObject({ status: 'failed', error: { code: 'code_runtime_error', nodeId: 'last' } });
    const records = [...origin.log.records.values()].sort((x, y) => x.seq - y.seq);
    // The records say which handles each node left by: what a rerun seeds its edges from.
    expect(Object.fromEntries(records.map((r) => [r.key, r.handles ?? null]))).toEqual({ start: ['source'], a: ['source'], check: ['else'], big: null, small: ['source'], join: ['source'], last: null });

    const rerunInput = runInput({ graph: g, inputs: { fail: '' } });
    const plan = planRerun({ graph: rerunInput.graph, originRunId: origin.runId, fromNodeId: 'last', originInputs: { n: 1, fail: 'boom' }, inputs: rerunInput.inputs, records });
    expect(plan.changedInputs).toEqual(['fail']);
    env.fakes.prepare();
    const result = await execute({ ...rerunInput, rerun: { originRunId: origin.runId, fromNodeId: plan.fromNodeId, reused: plan.reused } });

    // small was defaulted in the origin: the rerun is partially-succeeded as its origin would have been.
    expect(result).toMatchObject({ status: 'partially-succeeded', outputs: { joined: '1:fallback' } });
    expect(env.fakes.calls.map((c) => c.nodeId)).toEqual(['last']);
    const log = env.fakes.run(rerunInput.runId);
    // Only what ran is recorded by the workflow (the API writes the reused nodes' records).
    expect(statuses(log)).toEqual({ start: 'succeeded', last: 'succeeded', end: 'succeeded' });
  });

  it('skips the branch its reused if-else did not take, and runs the nodes after the rerun node as usual', async () => {
    const origin = await env.run({ graph: g, inputs: { n: 5 } });
    expect(origin.result).toMatchObject({ status: 'succeeded', outputs: { joined: '5:big' } });
    const records = [...origin.log.records.values()].sort((x, y) => x.seq - y.seq);
    const rerunInput = runInput({ graph: g, inputs: { n: 5 } });
    const plan = planRerun({ graph: rerunInput.graph, originRunId: origin.runId, fromNodeId: 'join', originInputs: { n: 5, fail: '' }, inputs: rerunInput.inputs, records });
    expect(plan.reused.map((r) => [r.nodeId, r.outcome])).toEqual([['a', 'ran'], ['check', 'ran'], ['small', 'skipped'], ['big', 'ran']]);
    env.fakes.prepare({ last: { outputs: { joined: 'again' } } });
    const result = await execute({ ...rerunInput, rerun: { originRunId: origin.runId, fromNodeId: plan.fromNodeId, reused: plan.reused } });
    expect(result).toMatchObject({ status: 'succeeded', outputs: { joined: 'again' } });
    expect(env.fakes.calls.map((c) => c.nodeId)).toEqual(['last']);
    // join rendered from the reused outputs: the value a produced in the origin, big's branch.
    expect(env.fakes.callsOf('last')[0]!.config).toMatchObject({ inputs: { joined: '5:big' } });
    expect(statuses(env.fakes.run(rerunInput.runId))).toEqual({ start: 'succeeded', join: 'succeeded', last: 'succeeded', end: 'succeeded' });
  });
});
