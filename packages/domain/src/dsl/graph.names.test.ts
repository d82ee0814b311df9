import { validateGraph } from './graph.validate';
import { OBJECT_PROTOTYPE_NAMES, isReservedNodeId } from './reserved-names';

type Node = { id: string; type: string; data?: unknown; [k: string]: unknown };

const chainOf = (...nodes: Node[]) => ({
  dsl: 'weft/v1',
  inputs: { q: { type: 'string' } },
  nodes: [{ id: 'start', type: 'start' }, ...nodes, { id: 'done', type: 'end', data: { outputs: {} } }],
  edges: ['start', ...nodes.map((n) => n.id), 'done'].slice(1).map((id, i, all) => ({ source: i === 0 ? 'start' : all[i - 1]!, target: id })),
});

const issuesOf = (graph: unknown) => {
  const r = validateGraph(graph);
  return r.ok ? [] : r.issues;
};

describe('reserved node ids', () => {
  it('include every name Object.prototype has, computed from the engine, and the reference namespaces', () => {
    for (const name of ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'isPrototypeOf', '__defineGetter__', 'toLocaleString']) {
      expect(OBJECT_PROTOTYPE_NAMES.has(name)).toBe(true);
    }
    for (const name of Object.getOwnPropertyNames(Object.prototype)) expect(isReservedNodeId(name)).toBe(true);
    for (const name of ['sys', 'env', 'secrets']) expect(isReservedNodeId(name)).toBe(true);
    expect(isReservedNodeId('answer')).toBe(false);
  });

  it.each(['__proto__', 'constructor', 'toString', 'valueOf', 'hasOwnProperty'])('refuses the node id %s (node_id_reserved)', (id) => {
    const issues = issuesOf(chainOf({ id, type: 'template', data: { template: 'x' } }));
    expect(issues).toContainEqual(expect.objectContaining({ code: 'node_id_reserved', nodeId: id, path: ['nodes', 1, 'id'] }));
  });

  it('refuses them inside inner graphs too', () => {
    const inner = { nodes: [{ id: 's2', type: 'start' }, { id: 'constructor', type: 'template', data: { template: 'x' } }, { id: 'e2', type: 'end' }], edges: [{ source: 's2', target: 'constructor' }, { source: 'constructor', target: 'e2' }] };
    const issues = issuesOf(chainOf({ id: 'each', type: 'iteration', data: { items: '{{ start.q }}', graph: inner } }));
    expect(issues).toContainEqual(expect.objectContaining({ code: 'node_id_reserved', nodeId: 'constructor', path: ['nodes', 1, 'data', 'graph', 'nodes', 1, 'id'] }));
  });

  it('refuses ids longer than 128 characters', () => {
    const id = `n${'x'.repeat(128)}`;
    expect(issuesOf(chainOf({ id, type: 'template', data: { template: 'x' } }))).toContainEqual(expect.objectContaining({ code: 'node_id_invalid' }));
    expect(issuesOf(chainOf({ id: id.slice(1), type: 'template', data: { template: 'x' } }))).toEqual([]);
  });
});

describe('reserved names that become keys of workflow state (name_reserved)', () => {
  // Parsed from JSON, as the API receives it: `__proto__` is then an own key, not a prototype.
  const fromJson = (graph: unknown) => JSON.parse(JSON.stringify(graph).replace(/"RESERVED"/g, '"__proto__"'));
  const loop = (variables: Record<string, unknown>) => ({
    id: 'lp',
    type: 'loop',
    data: { variables, maxIterations: 2, graph: { nodes: [{ id: 's2', type: 'start' }, { id: 'e2', type: 'end', data: { outputs: {} } }], edges: [{ source: 's2', target: 'e2' }] } },
  });

  const cases: [string, unknown, (string | number)[]][] = [
    ['a declared input', { ...chainOf(), inputs: { RESERVED: { type: 'string' } } }, ['inputs', '__proto__']],
    ['a declared input (constructor)', { ...chainOf(), inputs: { constructor: { type: 'string' } } }, ['inputs', 'constructor']],
    ['an end output', { ...chainOf(), nodes: [{ id: 'start', type: 'start' }, { id: 'done', type: 'end', data: { outputs: { toString: 'x' } } }], edges: [{ source: 'start', target: 'done' }] }, ['nodes', 1, 'data', 'outputs', 'toString']],
    ['an end output (__proto__)', { ...chainOf(), nodes: [{ id: 'start', type: 'start' }, { id: 'done', type: 'end', data: { outputs: { RESERVED: 'x' } } }], edges: [{ source: 'start', target: 'done' }] }, ['nodes', 1, 'data', 'outputs', '__proto__']],
    ['a loop variable', chainOf(loop({ constructor: 0 })), ['nodes', 1, 'data', 'variables', 'constructor']],
    ['a loop variable (__proto__)', chainOf(loop({ RESERVED: 0 })), ['nodes', 1, 'data', 'variables', '__proto__']],
    ['a variable-aggregator group', chainOf({ id: 'agg', type: 'variable-aggregator', data: { groups: { valueOf: ['{{ start.q }}'] } } }), ['nodes', 1, 'data', 'groups', 'valueOf']],
    ['an approval field', chainOf({ id: 'ok', type: 'approval', data: { prompt: 'p', fields: { hasOwnProperty: { type: 'string' } } } }), ['nodes', 1, 'data', 'fields', 'hasOwnProperty']],
    ['a code node input', chainOf({ id: 'calc', type: 'code', data: { code: 'function main(i) { return i }', inputs: { RESERVED: '{{ start.q }}' } } }), ['nodes', 1, 'data', 'inputs', '__proto__']],
    ['a sub-workflow input', chainOf({ id: 'child', type: 'sub-workflow', data: { workflowId: 'wf_1', inputs: { constructor: 1 } } }), ['nodes', 1, 'data', 'inputs', 'constructor']],
    ['a default output', chainOf({ id: 'calc', type: 'code', data: { code: 'x' }, onError: 'default', default: { RESERVED: 1 } }), ['nodes', 1, 'default', '__proto__']],
  ];

  it.each(cases)('refuses %s', (_what, graph, path) => {
    expect(issuesOf(fromJson(graph))).toContainEqual(expect.objectContaining({ code: 'name_reserved', path, message: expect.stringContaining('every object already has') }));
  });

  it('accepts ordinary names in the same places', () => {
    const g = chainOf(
      loop({ total: 0 }),
      { id: 'agg', type: 'variable-aggregator', data: { groups: { best: ['{{ start.q }}'] } } },
      { id: 'calc', type: 'code', data: { code: 'x', inputs: { value: '{{ start.q }}' } }, onError: 'default', default: { value: 1 } },
    );
    expect(issuesOf(g)).toEqual([]);
  });
});
