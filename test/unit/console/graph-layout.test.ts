import { MAX_DRAWN_NODES, NODE_W, layoutGraph, type DslGraph } from '../../../apps/console/src/graph/layout';

// How the console places a workflow graph (graph/GraphView.tsx draws what this returns).
describe("the console's graph layout", () => {
  const graph: DslGraph = {
    nodes: [
      { id: 'start', type: 'start' },
      { id: 'check', type: 'if-else' },
      { id: 'each', type: 'iteration', data: { graph: { nodes: [{ id: 'in_start', type: 'start' }, { id: 'work', type: 'llm' }, { id: 'in_end', type: 'end' }], edges: [{ source: 'in_start', target: 'work' }, { source: 'work', target: 'in_end' }] } } },
      { id: 'done', type: 'end' },
    ],
    edges: [
      { source: 'start', target: 'check' },
      { source: 'check', sourceHandle: 'long', target: 'each' },
      { source: 'check', sourceHandle: 'else', target: 'done' },
      { source: 'each', target: 'done' },
    ],
  };

  it('places each node one layer after the furthest of its sources, left to right', () => {
    const { nodes } = layoutGraph(graph);
    const x = (id: string) => nodes.find((n) => n.id === id)!.x;
    expect(x('start')).toBe(0);
    expect(x('check')).toBeGreaterThan(x('start'));
    expect(x('each')).toBeGreaterThan(x('check'));
    expect(x('done')).toBeGreaterThan(x('each'));
  });

  it('draws a container around its own graph, its nodes inside it and after it in the list', () => {
    const { nodes, edges } = layoutGraph(graph);
    const each = nodes.find((n) => n.id === 'each')!;
    expect(each.container).toBe(true);
    const inner = nodes.filter((n) => n.parentId === 'each');
    expect(inner.map((n) => n.id).sort()).toEqual(['in_end', 'in_start', 'work']);
    for (const n of inner) {
      expect(n.x + n.width).toBeLessThanOrEqual(each.width);
      expect(n.y + n.height).toBeLessThanOrEqual(each.height);
      expect(nodes.indexOf(n)).toBeGreaterThan(nodes.indexOf(each));
    }
    expect(each.width).toBeGreaterThan(3 * NODE_W);
    expect(edges.find((e) => e.source === 'check' && e.target === 'done')?.label).toBe('else');
    expect(edges.some((e) => e.source === 'work' && e.target === 'in_end')).toBe(true);
  });

  it('draws a hostile draft without hanging: cycles, edges to nowhere, junk nodes, too many nodes', () => {
    const cyclic = layoutGraph({ nodes: [{ id: 'a', type: 'code' }, { id: 'b', type: 'code' }, null as never, { id: 7 as never, type: 'x' }], edges: [{ source: 'a', target: 'b' }, { source: 'b', target: 'a' }, { source: 'a', target: 'ghost' }] });
    expect(cyclic.nodes.map((n) => n.id).sort()).toEqual(['a', 'b']);
    expect(cyclic.edges).toHaveLength(2);
    const many = layoutGraph({ nodes: Array.from({ length: MAX_DRAWN_NODES + 500 }, (_, i) => ({ id: `n${i}`, type: 'code' })), edges: [] });
    expect(many.nodes).toHaveLength(MAX_DRAWN_NODES);
    expect(layoutGraph({} as DslGraph).nodes).toEqual([]);
  });

  it('places the same graph the same way every time', () => {
    expect(layoutGraph(graph)).toEqual(layoutGraph(JSON.parse(JSON.stringify(graph))));
  });
});
