import { validateGraph } from '../../dsl/graph.validate';

const graph = (data: unknown) => ({
  dsl: 'weft/v1',
  inputs: { people: { type: 'array', required: true }, min: { type: 'number' } },
  nodes: [
    { id: 'start', type: 'start' },
    { id: 'pick', type: 'list-operator', data },
    { id: 'done', type: 'end', data: { outputs: { who: '{{ pick.first }}', n: '{{ pick.count }}' } } },
  ],
  edges: [
    { source: 'start', target: 'pick' },
    { source: 'pick', target: 'done' },
  ],
});

const issues = (data: unknown) => {
  const r = validateGraph(graph(data));
  return r.ok ? [] : r.issues.map((i) => ({ code: i.code, path: i.path?.join('.') }));
};

describe('list-operator data', () => {
  it('accepts filter, sort, offset, limit and nth, with references in condition values', () => {
    expect(
      issues({
        items: '{{ start.people }}',
        filter: { logic: 'or', conditions: [{ key: 'age', op: 'gte', value: '{{ start.min }}' }, { key: 'name', op: 'empty' }] },
        sort: { key: 'meta.rank', order: 'desc' },
        offset: 1,
        limit: 10,
        nth: -1,
      }),
    ).toEqual([]);
  });

  it('needs items to be one reference, not text', () => {
    expect(issues({ items: 'people' })).toEqual([{ code: 'reference_expected', path: 'nodes.1.data.items' }]);
  });

  it('refuses settings that mean nothing: nth 0, a negative offset, a zero limit, a binary operator without value, a key with empty parts', () => {
    const bad = [{ nth: 0 }, { offset: -1 }, { limit: 0 }, { filter: { conditions: [{ key: 'a', op: 'eq' }] } }, { sort: { key: 'a..b' } }, { filter: { conditions: [] } }];
    for (const extra of bad) expect(issues({ items: '{{ start.people }}', ...extra }).map((i) => i.code)).toEqual(['node_data_invalid']);
  });

  it('checks references in condition values like any other', () => {
    expect(issues({ items: '{{ start.people }}', filter: { conditions: [{ key: 'a', op: 'eq', value: '{{ ghost.x }}' }] } }).map((i) => i.code)).toEqual(['reference_unknown_node']);
  });

  it('declares its outputs, so a reference to one it lacks is refused', () => {
    const g = graph({ items: '{{ start.people }}' });
    (g.nodes[2]!.data as { outputs: Record<string, string> }).outputs.x = '{{ pick.nope }}';
    const r = validateGraph(g);
    expect(r.ok ? [] : r.issues.map((i) => i.code)).toEqual(['reference_unknown_output']);
  });
});
