import { answerAncestorQueries, stronglyConnected, type AncestorQuery } from './graph.ancestry';

/** A small deterministic generator (the domain takes no randomness, its tests need none either). */
function generator(seed: number) {
  let s = seed >>> 0;
  return (n: number) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s % n;
  };
}

function childrenOf(edges: [string, string][]): Map<string, string[]> {
  const children = new Map<string, string[]>();
  for (const [a, b] of edges) children.set(a, [...(children.get(a) ?? []), b]);
  return children;
}

/** The plain definition: a path of at least one edge from `ancestor` to `of`. */
function bruteForce(children: Map<string, string[]>, q: AncestorQuery): boolean {
  const seen = new Set<string>();
  const queue = [...(children.get(q.ancestor) ?? [])];
  while (queue.length) {
    const v = queue.pop()!;
    if (v === q.of) return true;
    if (seen.has(v)) continue;
    seen.add(v);
    queue.push(...(children.get(v) ?? []));
  }
  return false;
}

describe('stronglyConnected', () => {
  it('lists components in topological order and marks those on a cycle', () => {
    const children = childrenOf([['a', 'b'], ['b', 'c'], ['c', 'b'], ['c', 'd'], ['d', 'd']]);
    const { list, cyclic, of } = stronglyConnected(['a', 'b', 'c', 'd', 'e'], children);
    expect(list.map((c) => [...c].sort())).toEqual([['e'], ['a'], ['b', 'c'], ['d']]);
    expect(cyclic).toEqual([false, false, true, true]);
    expect(of.get('c')).toBe(2);
  });

  it('walks a chain of 100,000 nodes without recursion', () => {
    const ids = Array.from({ length: 100_000 }, (_, i) => `n${i}`);
    const children = new Map(ids.slice(0, -1).map((id, i) => [id, [ids[i + 1]!]]));
    const { list } = stronglyConnected(ids, children);
    expect(list).toHaveLength(100_000);
    expect(list[0]).toEqual(['n0']);
    expect(list[99_999]).toEqual(['n99999']);
  });
});

describe('answerAncestorQueries', () => {
  it.each([
    ['a sparse DAG', 60, 90, false],
    ['a dense DAG', 40, 400, false],
    ['a graph with cycles', 50, 120, true],
    ['more than 2,048 distinct ancestors (several passes)', 3_000, 6_000, false],
  ])('agrees with a search from every node on %s', (_what, size, edgeCount, cycles) => {
    const next = generator(size * 7919 + edgeCount);
    const ids = Array.from({ length: size }, (_, i) => `n${i}`);
    const edges: [string, string][] = [];
    for (let k = 0; k < edgeCount; k++) {
      const a = next(size);
      const b = next(size);
      if (cycles || a < b) edges.push([ids[a]!, ids[b]!]);
      else if (b < a) edges.push([ids[b]!, ids[a]!]);
    }
    const children = childrenOf(edges);
    const queries: AncestorQuery[] = [];
    for (let k = 0; k < Math.min(20_000, size * size); k++) queries.push({ ancestor: ids[next(size)]!, of: ids[next(size)]! });
    const answers = answerAncestorQueries(stronglyConnected(ids, children), children, queries);
    const expected = queries.map((q) => bruteForce(children, q));
    expect(answers).toEqual(expected);
    // Both kinds of answer are exercised.
    expect(expected.some(Boolean) && expected.some((x) => !x)).toBe(true);
  });

  it('answers false for ids the graph does not have', () => {
    const children = childrenOf([['a', 'b']]);
    expect(answerAncestorQueries(stronglyConnected(['a', 'b'], children), children, [{ ancestor: 'x', of: 'b' }, { ancestor: 'a', of: 'y' }, { ancestor: 'a', of: 'b' }])).toEqual([false, false, true]);
  });
});
