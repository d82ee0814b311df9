import { z } from 'zod';
import { DEFAULT_GRAPH_LIMITS, graphLimitsEnvShape, graphLimitsFromEnv, graphSizeIssues } from './graph.limits';
import { MAX_REPORTED_ISSUES, validateGraph } from './graph.validate';

type Node = { id: string; type: string; data?: unknown };
type Edge = { source: string; target: string };

const start: Node = { id: 'start', type: 'start' };
const end = (id = 'done', outputs: Record<string, unknown> = {}): Node => ({ id, type: 'end', data: { outputs } });
const tpl = (id: string, template: string): Node => ({ id, type: 'template', data: { template } });
const doc = (nodes: Node[], edges: Edge[]) => ({ dsl: 'weft/v1', inputs: { q: { type: 'string' } }, nodes, edges });
const path = (...ids: string[]): Edge[] => ids.slice(1).map((id, i) => ({ source: ids[i]!, target: id }));

/** start → t1 → … → t(n-2) → done, each reading the one before. */
function chain(n: number) {
  const ids = ['start', ...Array.from({ length: n - 2 }, (_, i) => `t${i + 1}`), 'done'];
  const nodes = ids.map((id, i) => (i === 0 ? start : i === ids.length - 1 ? end() : tpl(id, i === 1 ? '{{ start.q }}' : `{{ ${ids[i - 1]}.text }}`)));
  return doc(nodes, path(...ids));
}

/** Iterations nested `depth` deep, each inner graph start → (next container) → end. */
function nestedIterations(depth: number) {
  const build = (level: number): Node => {
    const inner: Node[] = [{ id: `s${level}`, type: 'start' }];
    const ids = [`s${level}`];
    if (level < depth) {
      inner.push(build(level + 1));
      ids.push(`it${level + 1}`);
    }
    inner.push(end(`e${level}`));
    ids.push(`e${level}`);
    return { id: `it${level}`, type: 'iteration', data: { items: '{{ start.q }}', graph: { nodes: inner, edges: path(...ids) } } };
  };
  return doc([start, build(1), end()], path('start', 'it1', 'done'));
}

/** The graph of issue 7, item 3: 300 nodes with an edge from each to every later one (44,850 edges). */
function hostile() {
  const ids = Array.from({ length: 300 }, (_, i) => (i === 0 ? 'start' : i === 299 ? 'done' : `n${i}`));
  const nodes = ids.map((id, i) => (i === 0 ? start : i === 299 ? end() : tpl(id, '{{ start.q }}')));
  const edges: Edge[] = [];
  for (let i = 0; i < ids.length; i++) for (let j = i + 1; j < ids.length; j++) edges.push({ source: ids[i]!, target: ids[j]! });
  return doc(nodes, edges);
}

const codes = (graph: unknown, limits = {}) => {
  const r = validateGraph(graph, { limits });
  return r.issues.map((i) => i.code);
};

describe('graph size caps', () => {
  it('refuses the graph of issue 7 on the edge count alone, before any other rule', () => {
    const r = validateGraph(hostile());
    expect(r.ok).toBe(false);
    expect(r.issues).toEqual([{ code: 'graph_too_many_edges', message: `The graph has more than ${DEFAULT_GRAPH_LIMITS.maxEdges} edges (inner graphs included)` }]);
  });

  it('counts the nodes of inner graphs toward the node cap', () => {
    const g = nestedIterations(3); // 3 top-level nodes, 3 inner graphs of 2 or 3 nodes: 11 in all
    expect(codes(g, { maxNodes: 11 })).toEqual([]);
    expect(codes(g, { maxNodes: 10 })).toEqual(['graph_too_many_nodes']);
  });

  it('counts the edges of inner graphs toward the edge cap', () => {
    const g = nestedIterations(2); // 2 top-level edges, 2 + 1 inner ones
    expect(codes(g, { maxEdges: 5 })).toEqual([]);
    expect(codes(g, { maxEdges: 4 })).toEqual(['graph_too_many_edges']);
  });

  it('refuses containers nested deeper than the cap, naming the container', () => {
    expect(codes(nestedIterations(8))).toEqual([]);
    const r = validateGraph(nestedIterations(9));
    expect(r.issues).toEqual([
      expect.objectContaining({ code: 'graph_nesting_too_deep', nodeId: 'it9', message: expect.stringContaining('more than 8 deep') }),
    ]);
    expect(codes(nestedIterations(3), { maxNesting: 2 })).toEqual(['graph_nesting_too_deep']);
  });

  it('refuses a string or an object key longer than the cap, with its path', () => {
    const long = 'x'.repeat(1001);
    const g = chain(3);
    (g.nodes[1]!.data as { template: string }).template = long;
    expect(validateGraph(g, { limits: { maxStringLength: 1000 } }).issues).toEqual([
      expect.objectContaining({ code: 'graph_string_too_long', path: ['nodes', 1, 'data', 'template'] }),
    ]);
    const k = chain(3);
    k.nodes[2] = end('done', { [long]: '{{ t1.text }}' });
    expect(codes(k, { maxStringLength: 1000 })).toEqual(['graph_string_too_long']);
    expect(codes(k, { maxStringLength: 1001 })).toEqual([]);
  });

  it('refuses JSON nested deeper than the cap without recursing, however deep', () => {
    let deep: unknown = 'bottom';
    for (let i = 0; i < 100_000; i++) deep = { d: deep };
    const g = chain(3);
    g.nodes[2] = end('done', { deep });
    const r = validateGraph(g);
    expect(r.issues).toEqual([expect.objectContaining({ code: 'graph_too_deep', message: expect.stringContaining('more than 64 levels') })]);
    let list: unknown = [];
    for (let i = 0; i < 100_000; i++) list = [list];
    expect(codes({ ...chain(3), edges: list })).toEqual(['graph_too_deep']);
  });

  it('checks the caps first: a graph past a cap gets no other issue', () => {
    const g = chain(20);
    g.nodes.push({ id: 'bad id', type: 'teleport' }, tpl('x', '{{ ghost.y }}'));
    expect(codes(g).length).toBeGreaterThan(2);
    expect(codes(g, { maxNodes: 15 })).toEqual(['graph_too_many_nodes']);
  });

  it('reports every cap the counts pass together, and stops counting at the first', () => {
    const g = chain(30);
    expect(codes(g, { maxNodes: 10, maxEdges: 10 }).sort()).toEqual(['graph_too_many_edges', 'graph_too_many_nodes']);
    // A nodes array far past the cap is refused on its length: its entries are never read.
    const huge = { dsl: 'weft/v1', nodes: new Array(10_000_000), edges: [] };
    expect(graphSizeIssues(huge, DEFAULT_GRAPH_LIMITS)).toEqual([expect.objectContaining({ code: 'graph_too_many_nodes' })]);
  });

  it('leaves documents that are not objects to the schema', () => {
    expect(codes('nope')).toEqual(['graph_malformed']);
    expect(codes(null)).toEqual(['graph_malformed']);
  });

  it('validates long chains with caps lifted, without overflowing the stack', () => {
    expect(validateGraph(chain(1000))).toMatchObject({ ok: true });
    expect(codes(chain(1001))).toEqual(['graph_too_many_nodes']);
    expect(validateGraph(chain(30_000), { limits: { maxNodes: 30_000, maxEdges: 30_000 } })).toMatchObject({ ok: true });
    const cyclic = chain(30_000);
    cyclic.edges.push({ source: 't29998', target: 't1' });
    const r = validateGraph(cyclic, { limits: { maxNodes: 30_000, maxEdges: 30_001 } });
    expect(r.issues.map((i) => i.code)).toContain('graph_cycle');
  });

  it('are deployment settings with documented defaults', () => {
    const env = z.object(graphLimitsEnvShape).parse({});
    expect(graphLimitsFromEnv(env)).toEqual(DEFAULT_GRAPH_LIMITS);
    expect(DEFAULT_GRAPH_LIMITS).toEqual({ maxNodes: 1000, maxEdges: 5000, maxNesting: 8, maxStringLength: 100_000, maxDepth: 64 });
    const set = z.object(graphLimitsEnvShape).parse({ WEFT_GRAPH_MAX_NODES: '200', WEFT_GRAPH_MAX_EDGES: '400', WEFT_GRAPH_MAX_NESTING: '2', WEFT_GRAPH_MAX_STRING_CHARS: '5000', WEFT_GRAPH_MAX_DEPTH: '32' });
    expect(graphLimitsFromEnv(set)).toEqual({ maxNodes: 200, maxEdges: 400, maxNesting: 2, maxStringLength: 5000, maxDepth: 32 });
    // Prisma refuses JSON about 126 levels deep: the depth cap cannot be set past it.
    expect(z.object(graphLimitsEnvShape).safeParse({ WEFT_GRAPH_MAX_DEPTH: '200' }).success).toBe(false);
  });
});

describe('issue lists', () => {
  it(`are cut at ${MAX_REPORTED_ISSUES} issues, with one saying how many more`, () => {
    const g = chain(3);
    g.nodes[1] = tpl('t1', Array.from({ length: 800 }, (_, i) => `{{ ghost${i}.x }}`).join(' '));
    const r = validateGraph(g);
    expect(r.issues).toHaveLength(MAX_REPORTED_ISSUES + 1);
    expect(r.issues[MAX_REPORTED_ISSUES]).toEqual({ code: 'graph_issues_truncated', message: '300 more issues are not shown; fix these first' });
  });

  it('quote user text cut short, so a long name cannot make the answer large', () => {
    const longId = `n${'x'.repeat(50_000)}`;
    const g = doc([start, tpl(longId, 'x'), end()], [...path('start', longId, 'done'), ...Array.from({ length: 100 }, () => ({ source: longId, target: 'done', sourceHandle: 'y'.repeat(50_000) }))]);
    const r = validateGraph(g);
    expect(r.issues.map((i) => i.code)).toEqual(expect.arrayContaining(['node_id_invalid', 'edge_unknown_handle']));
    for (const issue of r.issues) expect(JSON.stringify(issue).length).toBeLessThan(2_000);
  });

  it('list at most twenty names in a message', () => {
    const cases = Array.from({ length: 100 }, (_, i) => ({ id: `c${i}`, conditions: [{ left: '{{ start.q }}', op: 'empty' }] }));
    const g = doc([start, { id: 'pick', type: 'if-else', data: { cases } }, end()], [...path('start', 'pick'), { source: 'pick', target: 'done', sourceHandle: 'nope' } as Edge]);
    const [issue] = validateGraph(g).issues;
    expect(issue).toMatchObject({ code: 'edge_unknown_handle', message: expect.stringContaining('c19, … (81 more)') });
  });
});
