import { validateGraph } from './graph.validate';

const base = () => ({
  dsl: 'weft/v1',
  inputs: { name: { type: 'string', required: true } },
  nodes: [
    { id: 'start', type: 'start' },
    { id: 'greet', type: 'template', data: { template: 'Hi {{ start.name }}' } },
    { id: 'done', type: 'end', data: { outputs: { text: '{{ greet.text }}' } } },
  ],
  edges: [
    { source: 'start', target: 'greet' },
    { source: 'greet', target: 'done' },
  ],
});

const codes = (g: unknown) => {
  const r = validateGraph(g);
  return r.ok ? [] : r.issues.map((i) => i.code);
};

describe('validateGraph', () => {
  it('accepts a valid graph', () => {
    expect(validateGraph(base())).toMatchObject({ ok: true });
  });

  it('reports a malformed document with paths', () => {
    const r = validateGraph({ dsl: 'weft/v0', nodes: 'x' });
    expect(r.ok).toBe(false);
    expect(r.issues.map((i) => i.code)).toEqual(expect.arrayContaining(['graph_malformed']));
    expect(r.issues.some((i) => i.path?.[0] === 'dsl')).toBe(true);
  });

  it('reports every problem at once', () => {
    const g = base();
    g.nodes.push({ id: 'start', type: 'start' }, { id: 'bad id', type: 'nope' } as never);
    g.edges.push({ source: 'greet', target: 'ghost' });
    expect(codes(g)).toEqual(
      expect.arrayContaining(['node_id_duplicate', 'node_id_invalid', 'node_type_unknown', 'start_multiple', 'edge_unknown_node']),
    );
  });

  it('finds missing start and end, and unreachable nodes', () => {
    expect(codes({ dsl: 'weft/v1', nodes: [{ id: 'a', type: 'template', data: { template: '' } }], edges: [] })).toEqual(
      expect.arrayContaining(['start_missing', 'end_missing']),
    );
    const g = base();
    g.nodes.push({ id: 'island', type: 'template', data: { template: 'x' } });
    expect(codes(g)).toContain('node_unreachable');
  });

  it('finds cycles and unknown handles', () => {
    const g = base();
    g.edges.push({ source: 'greet', target: 'greet' }, { source: 'start', target: 'done', sourceHandle: 'yes' } as never);
    expect(codes(g)).toEqual(expect.arrayContaining(['graph_cycle', 'edge_unknown_handle']));
  });

  it('checks references: unknown node, not upstream, unknown output, sys fields', () => {
    const g = base();
    g.nodes[1] = { id: 'greet', type: 'template', data: { template: '{{ ghost.x }} {{ done.x }} {{ start.nope }} {{ sys.bogus }} {{ sys.runId }}' } };
    const r = validateGraph(g);
    expect(r.ok).toBe(false);
    expect(r.issues.map((i) => i.code).sort()).toEqual(
      ['reference_not_upstream', 'reference_unknown_node', 'reference_unknown_output', 'reference_unknown_output'].sort(),
    );
    expect(r.issues.every((i) => i.nodeId === 'greet')).toBe(true);
  });

  it('reports bad node data with its path', () => {
    const g = base();
    g.nodes.push({ id: 'hold', type: 'wait', data: { duration: 'soon' } } as never);
    g.edges.push({ source: 'greet', target: 'hold' });
    const r = validateGraph(g);
    expect(r.ok).toBe(false);
    expect(r.issues).toContainEqual(expect.objectContaining({ code: 'node_data_invalid', nodeId: 'hold', path: ['nodes', 3, 'data', 'duration'] }));
  });
});
