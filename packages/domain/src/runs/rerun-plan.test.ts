import { ValidationFailedError } from '../errors/domain.errors';
import type { Graph } from '../dsl/graph.schema';
import { validateGraph } from '../dsl/graph.validate';
import { inputsRead, planRerun, type OriginRecord, type RerunRequest } from './rerun-plan';

type N = { id: string; type: string; [k: string]: unknown };
function valid(nodes: N[], edges: [string, string, string?][], inputs: Record<string, unknown> = {}): Graph {
  const v = validateGraph({ dsl: 'weft/v1', inputs, nodes, edges: edges.map(([source, target, sourceHandle]) => ({ source, target, ...(sourceHandle ? { sourceHandle } : {}) })) });
  if (!v.ok) throw new Error(JSON.stringify(v.issues));
  return v.graph;
}

const llm: N = { id: 'ask', type: 'llm', data: { model: 'm', messages: [{ role: 'user', content: 'About {{ start.topic }}' }] } };
const fetch: N = { id: 'fetch', type: 'http-request', data: { url: 'http://example.test/{{ ask.text }}' } };
const calc: N = { id: 'calc', type: 'code', data: { language: 'javascript', code: 'function main(i) { return i; }', inputs: { body: '{{ fetch.body }}', mode: '{{ start.mode }}' } } };
const end: N = { id: 'end', type: 'end', data: { outputs: { r: '{{ calc.mode }}' } } };
const inputs = { topic: { type: 'string', default: 't' }, mode: { type: 'string', default: 'boom' } };
const chain = valid([{ id: 'start', type: 'start' }, llm, fetch, calc, end], [['start', 'ask'], ['ask', 'fetch'], ['fetch', 'calc'], ['calc', 'end']], inputs);
const ok = (nodeId: string, outputs: Record<string, unknown> = {}, extra: Partial<OriginRecord> = {}): OriginRecord => ({ nodeId, status: 'succeeded', outputs, handles: ['source'], ...extra });
const chainRecords = [ok('start', { topic: 't', mode: 'boom' }), ok('ask', { text: 'x' }), ok('fetch', { body: 'b' }), { nodeId: 'calc', status: 'failed', error: { code: 'code_runtime_error', message: 'boom' } }];

const request = (over: Partial<RerunRequest> = {}): RerunRequest => ({
  graph: chain,
  originRunId: 'run_1',
  fromNodeId: 'calc',
  originInputs: { topic: 't', mode: 'boom' },
  inputs: { topic: 't', mode: 'boom' },
  records: chainRecords,
  ...over,
});

function refusal(fn: () => unknown): ValidationFailedError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ValidationFailedError) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}

describe('planRerun', () => {
  it('reuses every ancestor but the start node, with outputs and handles, in recorded order', () => {
    const plan = planRerun(request());
    expect(plan).toEqual({
      fromNodeId: 'calc',
      changedInputs: [],
      reused: [
        { nodeId: 'ask', outcome: 'ran', outputs: { text: 'x' }, handles: ['source'] },
        { nodeId: 'fetch', outcome: 'ran', outputs: { body: 'b' }, handles: ['source'] },
      ],
    });
  });

  it('allows changed inputs that only rerun nodes read, and names inputs and nodes when a reused one reads them', () => {
    expect(planRerun(request({ inputs: { topic: 't', mode: 'fine' } })).changedInputs).toEqual(['mode']);
    const err = refusal(() => planRerun(request({ inputs: { topic: 'other', mode: 'fine' } })));
    expect(err.code).toBe('rerun_inputs_conflict');
    expect(err.message).toBe("Changed inputs 'topic' are read by nodes whose recorded outputs would be reused: 'ask'");
    expect(err.issues).toEqual([{ code: 'rerun_inputs_conflict', message: "node 'ask' reads input 'topic'", nodeId: 'ask', path: ['body', 'inputs', 'topic'] }]);
  });

  it('refuses an unknown node and an ancestor that did not finish or failed', () => {
    expect(refusal(() => planRerun(request({ fromNodeId: 'nope' }))).code).toBe('rerun_node_unknown');
    const missing = refusal(() => planRerun(request({ fromNodeId: 'end', records: chainRecords.slice(0, 2) })));
    expect(missing.code).toBe('rerun_not_possible');
    expect(missing.issues.map((i) => i.nodeId)).toEqual(['fetch', 'calc']);
    expect(missing.message).toContain("The run cannot be rerun from 'end': node 'fetch', which precedes it, did not finish in run run_1");
    const failed = refusal(() => planRerun(request({ fromNodeId: 'end' })));
    expect(failed.issues).toEqual([expect.objectContaining({ nodeId: 'calc', message: "node 'calc', which precedes it, failed in run run_1" })]);
  });

  it('takes over an error branch, a default and a skip; derives an if-else branch of an older record', () => {
    const g = valid(
      [
        { id: 'start', type: 'start' },
        { ...calc, id: 'try', onError: 'branch', data: { language: 'javascript', code: 'function main(i) { return i; }', inputs: {} } },
        { id: 'fallback', type: 'template', data: { template: 'fell back: {{ try.error.code }}' } },
        { id: 'soft', type: 'code', onError: 'default', default: { v: 0 }, data: { language: 'javascript', code: 'function main(i) { return i; }', inputs: {} } },
        { id: 'check', type: 'if-else', data: { cases: [{ id: 'big', logic: 'and', conditions: [{ left: '{{ soft.v }}', op: 'gt', right: 1 }] }] } },
        { id: 'never', type: 'template', data: { template: 'n' } },
        { id: 'small', type: 'template', data: { template: 's' } },
        { id: 'join', type: 'template', data: { template: 'j' } },
        { id: 'end', type: 'end', data: { outputs: {} } },
      ],
      [['start', 'try'], ['try', 'fallback', 'error'], ['try', 'soft'], ['fallback', 'soft'], ['soft', 'check'], ['check', 'never', 'big'], ['check', 'small', 'else'], ['never', 'join'], ['small', 'join'], ['join', 'end']],
    );
    const records: OriginRecord[] = [
      ok('start'),
      { nodeId: 'try', status: 'failed', error: { code: 'code_runtime_error', message: 'no' }, handles: ['error'] },
      ok('fallback', { text: 'fell back: code_runtime_error' }),
      { nodeId: 'soft', status: 'defaulted', outputs: { v: 0 }, error: { code: 'code_timeout', message: 't' }, handles: ['source'] },
      ok('check', { result: 'else' }, { handles: null }),
      { nodeId: 'never', status: 'skipped' },
      ok('small', { text: 's' }),
    ];
    const plan = planRerun({ graph: g, originRunId: 'run_2', fromNodeId: 'join', originInputs: {}, inputs: {}, records });
    expect(plan.reused).toEqual([
      { nodeId: 'try', outcome: 'ran', outputs: { error: { code: 'code_runtime_error', message: 'no' } }, handles: ['error'] },
      { nodeId: 'fallback', outcome: 'ran', outputs: { text: 'fell back: code_runtime_error' }, handles: ['source'] },
      { nodeId: 'soft', outcome: 'ran', outputs: { v: 0 }, handles: ['source'], defaulted: true },
      { nodeId: 'check', outcome: 'ran', outputs: { result: 'else' }, handles: ['else'] },
      { nodeId: 'never', outcome: 'skipped' },
      { nodeId: 'small', outcome: 'ran', outputs: { text: 's' }, handles: ['source'] },
    ]);
    // The records of a rerun say `reused`; rerunning the rerun tells the default and the branch apart again.
    const again = records.map((r) => (r.status === 'skipped' || r.nodeId === 'start' ? r : { ...r, status: 'reused', outputs: plan.reused.find((p) => p.nodeId === r.nodeId)!.outputs, handles: plan.reused.find((p) => p.nodeId === r.nodeId)!.handles }));
    expect(planRerun({ graph: g, originRunId: 'run_3', fromNodeId: 'join', originInputs: {}, inputs: {}, records: again }).reused).toEqual(plan.reused);
  });

  it('reruns a node inside a container from its top-level container', () => {
    const inner = { nodes: [{ id: 's1', type: 'start' }, { id: 'work', type: 'template', data: { template: '{{ each.item }}' } }, { id: 'e1', type: 'end', data: { outputs: {} } }], edges: [{ source: 's1', target: 'work' }, { source: 'work', target: 'e1' }] };
    const g = valid(
      [{ id: 'start', type: 'start' }, { id: 'list', type: 'code', data: { language: 'javascript', code: 'function main() { return { items: [1] }; }', inputs: {} } }, { id: 'each', type: 'iteration', data: { items: '{{ list.items }}', output: '{{ work.text }}', graph: inner } }, { id: 'end', type: 'end', data: { outputs: {} } }],
      [['start', 'list'], ['list', 'each'], ['each', 'end']],
    );
    const plan = planRerun({ graph: g, originRunId: 'run_4', fromNodeId: 'work', originInputs: {}, inputs: {}, records: [ok('start'), ok('list', { items: [1] })] });
    expect(plan.fromNodeId).toBe('each');
    expect(plan.reused.map((r) => r.nodeId)).toEqual(['list']);
  });
});

describe('inputsRead', () => {
  it('finds references in nested data, inner graphs and Liquid, and the whole start node', () => {
    const tplNode = { id: 't', type: 'template', data: { template: '{% for x in start.items %}{{ x }}{% endfor %}{{ start.title | upcase }}' } };
    expect(inputsRead(tplNode as never, 'start')).toEqual(new Set(['items', 'title']));
    expect(inputsRead({ id: 'c', type: 'code', data: { inputs: { all: '{{ start }}' } } } as never, 'start')).toBe('all');
    const iteration = { id: 'it', type: 'iteration', data: { items: '{{ start.list }}', graph: { nodes: [{ id: 'w', type: 'template', data: { template: '{{ start.deep }}' } }], edges: [] } } };
    expect(inputsRead(iteration as never, 'start')).toEqual(new Set(['list', 'deep']));
  });
});
