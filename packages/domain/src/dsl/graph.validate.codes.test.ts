import { validateGraph } from './graph.validate';

type Node = { id: string; type: string; data?: unknown; [k: string]: unknown };
type Edge = { source: string; target: string; sourceHandle?: string; id?: string };

const doc = (nodes: Node[], edges: Edge[], inputs: Record<string, unknown> = { q: { type: 'string', required: true } }) => ({ dsl: 'weft/v1', inputs, nodes, edges });
const chain = (...ids: string[]): Edge[] => ids.slice(1).map((id, i) => ({ source: ids[i]!, target: id }));
const start = (id = 'start'): Node => ({ id, type: 'start' });
const end = (id = 'done', outputs: Record<string, unknown> = {}): Node => ({ id, type: 'end', data: { outputs } });
const tpl = (id: string, template: string): Node => ({ id, type: 'template', data: { template } });
const inner = (nodes: Node[], edges: Edge[]) => ({ nodes, edges });

/** A graph that uses every node type of v1 correctly. */
const everyType = () =>
  doc(
    [
      start(),
      { id: 'check', type: 'if-else', data: { cases: [{ id: 'long', logic: 'and', conditions: [{ left: '{{ start.q }}', op: 'length-gt', right: 3 }] }] } },
      { id: 'ask', type: 'llm', data: { model: 'm', messages: [{ role: 'user', content: '{{ start.q }}' }], responseFormat: { type: 'json', schema: { type: 'object' } } }, retry: { maxAttempts: 3 }, timeout: '30s', onError: 'default', default: { text: '' } },
      { id: 'fetch', type: 'http-request', data: { method: 'POST', url: 'https://example.test/x', body: { type: 'json', content: { q: '{{ start.q }}' } }, auth: { type: 'bearer', token: '{{ secrets.API }}' } }, onError: 'branch' },
      { id: 'search', type: 'knowledge-retrieval', data: { knowledgeIds: ['k1'], query: '{{ start.q }}', topK: 3 } },
      { id: 'join', type: 'variable-aggregator', data: { sources: ['{{ ask.text }}', '{{ fetch.body }}'] } },
      {
        id: 'each',
        type: 'iteration',
        data: {
          items: '{{ search.results }}',
          parallelism: 2,
          onItemError: 'continue',
          output: '{{ shout.text }}',
          graph: inner([start('each_start'), tpl('shout', '{{ each.index }}: {{ each.item.content }} for {{ start.q }}'), end('each_end')], chain('each_start', 'shout', 'each_end')),
        },
      },
      {
        id: 'again',
        type: 'loop',
        data: {
          variables: { n: 0, seen: [] },
          maxIterations: 5,
          breakWhen: { conditions: [{ left: '{{ again.n }}', op: 'gte', right: 3 }] },
          graph: inner(
            [start('again_start'), { id: 'bump', type: 'assign', data: { assignments: [{ variable: 'n', op: 'increment' }, { variable: 'seen', op: 'append', value: '{{ again.index }}' }] } }, end('again_end')],
            chain('again_start', 'bump', 'again_end'),
          ),
        },
      },
      { id: 'calc', type: 'code', data: { code: 'function main(i) { return { n: i.n } }', inputs: { n: '{{ again.iterations }}' } } },
      { id: 'list', type: 'template', data: { template: '{% for r in each.results %}{{ forloop.index }} {{ r }}{% endfor %} {{ calc.anything }}' } },
      { id: 'nap', type: 'wait', data: { duration: '1s' } },
      { id: 'ok', type: 'approval', data: { prompt: 'Ship {{ list.text }}?', fields: { note: { type: 'text' } } } },
      { id: 'child', type: 'sub-workflow', data: { workflowId: 'wf_1', version: 2, inputs: { q: '{{ start.q }}' } } },
      end('done', { answer: '{{ join.value }}', child: '{{ child.whatever }}', loops: '{{ again.variables.n }}' }),
    ],
    [
      { source: 'start', target: 'check' },
      { source: 'check', sourceHandle: 'long', target: 'ask' },
      { source: 'check', sourceHandle: 'else', target: 'fetch' },
      { source: 'fetch', sourceHandle: 'error', target: 'search' },
      { source: 'fetch', target: 'search' },
      { source: 'ask', target: 'join' },
      { source: 'search', target: 'join' },
      ...chain('join', 'each', 'again', 'calc', 'list', 'nap', 'ok'),
      { source: 'ok', sourceHandle: 'approve', target: 'child' },
      { source: 'ok', sourceHandle: 'timeout', target: 'done' },
      { source: 'child', target: 'done' },
    ],
  );

function issuesOf(graph: unknown) {
  const r = validateGraph(graph);
  return r.ok ? [] : r.issues;
}

describe('validateGraph on every node type', () => {
  it('accepts a graph using every node type, nested containers, Liquid loops and secrets', () => {
    expect(issuesOf(everyType())).toEqual([]);
  });
});

// One graph per issue code, each built from the valid one by a single change.
const cases: [string, () => unknown, Record<string, unknown>?][] = [
  ['graph_malformed', () => ({ ...everyType(), dsl: 'weft/v2' }), { path: ['dsl'] }],
  ['node_id_invalid', () => doc([start(), tpl('9lives', 'x'), end()], chain('start', '9lives', 'done')), { nodeId: '9lives' }],
  ['node_id_reserved', () => doc([start(), tpl('sys', 'x'), end()], chain('start', 'sys', 'done')), { nodeId: 'sys' }],
  ['node_id_duplicate', () => doc([start(), tpl('a', 'x'), tpl('a', 'y'), end()], chain('start', 'a', 'done')), { nodeId: 'a' }],
  ['node_type_unknown', () => doc([start(), { id: 'a', type: 'teleport' }, end()], chain('start', 'a', 'done')), { nodeId: 'a', path: ['nodes', 1, 'type'] }],
  ['node_data_invalid', () => doc([start(), { id: 'a', type: 'llm', data: { model: 'm', messages: [] } }, end()], chain('start', 'a', 'done')), { nodeId: 'a', path: ['nodes', 1, 'data', 'messages'] }],
  ['node_policy_unsupported', () => doc([start(), { ...tpl('a', 'x'), retry: { maxAttempts: 2 } }, end()], chain('start', 'a', 'done')), { nodeId: 'a' }],
  ['node_default_missing', () => doc([start(), { id: 'a', type: 'code', data: { code: 'x' }, onError: 'default' }, end()], chain('start', 'a', 'done')), { nodeId: 'a' }],
  ['start_missing', () => doc([tpl('a', 'x'), end()], chain('a', 'done'))],
  ['start_multiple', () => doc([start(), start('start2'), end()], [...chain('start', 'done'), ...chain('start2', 'done')]), { nodeId: 'start2' }],
  ['end_missing', () => doc([start(), tpl('a', 'x')], chain('start', 'a'))],
  ['edge_unknown_node', () => doc([start(), end()], chain('start', 'ghost', 'done')), { path: ['edges', 0, 'target'] }],
  ['edge_into_start', () => doc([start(), tpl('a', 'x'), end()], [...chain('start', 'a', 'done'), { source: 'a', target: 'start' }])],
  ['edge_unknown_handle', () => doc([start(), end()], [{ source: 'start', sourceHandle: 'yes', target: 'done' }]), { nodeId: 'start' }],
  ['node_unreachable', () => doc([start(), tpl('island', 'x'), end()], chain('start', 'done')), { nodeId: 'island' }],
  ['graph_cycle', () => doc([start(), tpl('a', 'x'), tpl('b', 'y'), end()], [...chain('start', 'a', 'b', 'done'), { source: 'b', target: 'a' }])],
  ['reference_unknown_node', () => doc([start(), tpl('a', '{{ ghost.text }}'), end()], chain('start', 'a', 'done')), { nodeId: 'a', path: ['nodes', 1, 'data', 'template'] }],
  ['reference_not_upstream', () => doc([start(), tpl('a', '{{ b.text }}'), tpl('b', 'x'), end()], chain('start', 'a', 'b', 'done')), { nodeId: 'a' }],
  ['reference_unknown_output', () => doc([start(), tpl('a', '{{ start.nope }}'), end()], chain('start', 'a', 'done')), { nodeId: 'a' }],
  ['assign_outside_loop', () => doc([start(), { id: 'a', type: 'assign', data: { assignments: [{ variable: 'n', value: 1 }] } }, end()], chain('start', 'a', 'done')), { nodeId: 'a' }],
];

describe('validateGraph issue codes', () => {
  it.each(cases.map(([code, build, fields]) => [code, build, fields ?? {}] as const))('%s', (code, build, fields) => {
    const issues = issuesOf(build());
    expect(issues).toContainEqual(expect.objectContaining({ code, ...fields }));
    for (const issue of issues) expect(issue.message).toEqual(expect.any(String));
  });
});

describe('validateGraph on inner graphs', () => {
  const withIteration = (innerNodes: Node[], innerEdges: Edge[], extra: Record<string, unknown> = {}) =>
    doc([start(), { id: 'each', type: 'iteration', data: { items: '{{ start.q }}', graph: inner(innerNodes, innerEdges), ...extra } }, end()], chain('start', 'each', 'done'));

  it('checks an inner graph with the same rules, with paths into it', () => {
    const issues = issuesOf(withIteration([tpl('t', '{{ ghost.x }}')], []));
    expect(issues).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ code: 'start_missing', nodeId: 'each', path: ['nodes', 1, 'data', 'graph'] }),
        expect.objectContaining({ code: 'end_missing', nodeId: 'each' }),
        expect.objectContaining({ code: 'reference_unknown_node', nodeId: 't', path: ['nodes', 1, 'data', 'graph', 'nodes', 0, 'data', 'template'] }),
      ]),
    );
  });

  it('keeps ids unique across the whole document', () => {
    const issues = issuesOf(withIteration([start('s2'), tpl('start', 'x'), end('e2')], chain('s2', 'start', 'e2')));
    expect(issues).toContainEqual(expect.objectContaining({ code: 'node_id_duplicate', nodeId: 'start', path: ['nodes', 1, 'data', 'graph', 'nodes', 1, 'id'] }));
  });

  it('lets inner nodes read the item, the index and upstream outer nodes, but not outer nodes downstream', () => {
    const g = doc(
      [start(), { id: 'each', type: 'iteration', data: { items: '{{ start.q }}', output: '{{ t.text }}', graph: inner([start('s2'), tpl('t', '{{ each.item }} {{ each.index }} {{ start.q }} {{ after.text }} {{ each.nope }}'), end('e2')], chain('s2', 't', 'e2')) } }, tpl('after', 'x'), end()],
      chain('start', 'each', 'after', 'done'),
    );
    const issues = issuesOf(g);
    expect(issues.map((i) => i.code).sort()).toEqual(['reference_not_upstream', 'reference_unknown_output']);
  });

  it('checks the output reference inside the inner graph and inner nodes are invisible outside', () => {
    const g = doc(
      [start(), { id: 'each', type: 'iteration', data: { items: '{{ start.q }}', output: '{{ ghost.text }}', graph: inner([start('s2'), tpl('t', 'x'), end('e2')], chain('s2', 't', 'e2')) } }, tpl('after', '{{ t.text }}'), end()],
      chain('start', 'each', 'after', 'done'),
    );
    expect(issuesOf(g)).toEqual([
      expect.objectContaining({ code: 'reference_not_upstream', nodeId: 'after' }),
      expect.objectContaining({ code: 'reference_unknown_node', nodeId: 'each', path: ['nodes', 1, 'data', 'output'] }),
    ]);
  });

  it('reports an assign to a variable its loop does not declare', () => {
    const g = doc(
      [start(), { id: 'lp', type: 'loop', data: { variables: { n: 0 }, maxIterations: 3, breakWhen: { conditions: [{ left: '{{ lp.m }}', op: 'eq', right: 1 }] }, graph: inner([start('s2'), { id: 'set', type: 'assign', data: { assignments: [{ variable: 'm', value: 1 }] } }, end('e2')], chain('s2', 'set', 'e2')) } }, end()],
      chain('start', 'lp', 'done'),
    );
    expect(issuesOf(g).map((i) => i.code).sort()).toEqual(['assign_unknown_variable', 'reference_unknown_output']);
  });

  it('refuses a loop without maxIterations or above 1000, and a parallelism above 50', () => {
    const g = doc(
      [start(), { id: 'lp', type: 'loop', data: { maxIterations: 1001, graph: inner([start('s2'), end('e2')], chain('s2', 'e2')) } }, { id: 'it', type: 'iteration', data: { items: '{{ start.q }}', parallelism: 51, graph: inner([start('s3'), end('e3')], chain('s3', 'e3')) } }, end()],
      chain('start', 'lp', 'it', 'done'),
    );
    expect(issuesOf(g)).toEqual([
      expect.objectContaining({ code: 'node_data_invalid', nodeId: 'lp', path: ['nodes', 1, 'data', 'maxIterations'] }),
      expect.objectContaining({ code: 'node_data_invalid', nodeId: 'it', path: ['nodes', 2, 'data', 'parallelism'] }),
    ]);
  });

  it('knows the handles of if-else and approval nodes', () => {
    const g = doc(
      [start(), { id: 'c', type: 'if-else', data: { cases: [{ id: 'yes', conditions: [{ left: '{{ start.q }}', op: 'empty' }] }] } }, end()],
      [{ source: 'start', target: 'c' }, { source: 'c', sourceHandle: 'yes', target: 'done' }, { source: 'c', sourceHandle: 'else', target: 'done' }, { source: 'c', sourceHandle: 'maybe', target: 'done' }],
    );
    expect(issuesOf(g)).toEqual([expect.objectContaining({ code: 'edge_unknown_handle', nodeId: 'c', message: expect.stringContaining('yes, else') })]);
  });
});
