/**
 * Order facts of one scope's graph: its strongly connected components (Tarjan's algorithm, without
 * recursion so that a long chain cannot overflow the stack) and batched ancestor queries.
 */
export interface Components {
  /** components in topological order (a component's predecessors come before it) */
  list: string[][];
  /** node id → index in `list` */
  of: Map<string, number>;
  /** a component whose nodes lie on a cycle: more than one node, or a node with an edge to itself */
  cyclic: boolean[];
}

export function stronglyConnected(ids: readonly string[], children: ReadonlyMap<string, readonly string[]>): Components {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const found: string[][] = [];
  let counter = 0;
  // Each frame is a node and how many of its children it has looked at.
  const frames: { v: string; next: number }[] = [];
  const open = (v: string) => {
    index.set(v, counter);
    low.set(v, counter);
    counter++;
    stack.push(v);
    onStack.add(v);
    frames.push({ v, next: 0 });
  };
  for (const root of ids) {
    if (index.has(root)) continue;
    open(root);
    while (frames.length) {
      const frame = frames[frames.length - 1]!;
      const kids = children.get(frame.v) ?? [];
      if (frame.next < kids.length) {
        const w = kids[frame.next++]!;
        if (!index.has(w)) open(w);
        else if (onStack.has(w)) low.set(frame.v, Math.min(low.get(frame.v)!, index.get(w)!));
        continue;
      }
      frames.pop();
      const v = frame.v;
      const parent = frames[frames.length - 1];
      if (parent) low.set(parent.v, Math.min(low.get(parent.v)!, low.get(v)!));
      if (low.get(v) !== index.get(v)) continue;
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      found.push(component.reverse());
    }
  }
  // Tarjan completes a component after every component it reaches: reversed, that is topological.
  const list = found.reverse();
  const of = new Map<string, number>();
  list.forEach((c, i) => c.forEach((id) => of.set(id, i)));
  const cyclic = list.map((c) => c.length > 1 || (children.get(c[0]!) ?? []).includes(c[0]!));
  return { list, of, cyclic };
}

export interface AncestorQuery {
  /** is this node an ancestor of … */
  ancestor: string;
  /** … this one (is there a path of at least one edge from `ancestor` to `of`) */
  of: string;
}

/** Ancestor components asked about in one pass: 64 words of 32 bits per component. */
const WORDS_PER_PASS = 64;

/**
 * A spanning tree of the components (each one's parent: its nearest predecessor in topological
 * order) numbered so that every subtree is one interval: "A is B's ancestor in the tree" is then
 * two comparisons. Most references of a real graph follow such a path (a chain, a branch).
 */
function treeIntervals(count: number, first: Int32Array, next: Int32Array): (a: number, b: number) => boolean {
  const parent = new Int32Array(count).fill(-1);
  for (let c = 0; c < count; c++) for (let e = first[c]!; e < first[c + 1]!; e++) parent[next[e]!] = Math.max(parent[next[e]!]!, c);
  // A parent comes before its children in topological order: sizes bottom-up, numbers top-down.
  const size = new Int32Array(count).fill(1);
  for (let c = count - 1; c >= 0; c--) if (parent[c]! >= 0) size[parent[c]!]! += size[c]!;
  const pre = new Int32Array(count);
  const slot = new Int32Array(count);
  let roots = 0;
  for (let c = 0; c < count; c++) {
    const p = parent[c]!;
    if (p < 0) {
      pre[c] = roots;
      roots += size[c]!;
    } else {
      pre[c] = slot[p]!;
      slot[p]! += size[c]!;
    }
    slot[c] = pre[c]! + 1;
  }
  return (a, b) => pre[a]! < pre[b]! && pre[b]! < pre[a]! + size[a]!;
}

/**
 * Answers many "is A an ancestor of B" queries over one graph at once. Most are settled on the
 * spot: same component (only on a cycle), B before A in topological order (never), an edge or a
 * path of the spanning tree from A to B (always). For the rest, the components asked about get one bit each, up to 2,048 per
 * pass, and one pass over the components in topological order carries each component's set of
 * those ancestors along its edges (flattened into arrays first). The work is (nodes + edges) ×
 * ⌈distinct ancestors left / 32⌉ word operations — instead of a search from every node — and the
 * memory (components × 64) words.
 */
export function answerAncestorQueries(
  components: Components,
  children: ReadonlyMap<string, readonly string[]>,
  queries: readonly AncestorQuery[],
): boolean[] {
  const count = components.list.length;
  // Successor components of each component, flattened: next[first[c] .. first[c + 1]).
  const first = new Int32Array(count + 1);
  const successors: number[] = [];
  const edges = new Set<number>();
  for (let c = 0; c < count; c++) {
    first[c] = successors.length;
    for (const v of components.list[c]!) {
      for (const w of children.get(v) ?? []) {
        const d = components.of.get(w)!;
        if (d === c) continue;
        successors.push(d);
        edges.add(c * count + d);
      }
    }
  }
  first[count] = successors.length;
  const next = Int32Array.from(successors);
  const inTree = treeIntervals(count, first, next);

  const answers = new Array<boolean>(queries.length).fill(false);
  const open: number[] = [];
  const bit = new Map<number, number>();
  queries.forEach((q, i) => {
    const a = components.of.get(q.ancestor);
    const b = components.of.get(q.of);
    if (a === undefined || b === undefined || a > b) return;
    if (a === b) answers[i] = components.cyclic[a]!;
    else if (edges.has(a * count + b) || inTree(a, b)) answers[i] = true;
    else {
      if (!bit.has(a)) bit.set(a, bit.size);
      open.push(i);
    }
  });

  const targets = [...bit.keys()];
  for (let from = 0; from < targets.length; from += WORDS_PER_PASS * 32) {
    const batch = targets.slice(from, from + WORDS_PER_PASS * 32);
    const words = Math.ceil(batch.length / 32);
    const reach = new Int32Array(count * words);
    const own = new Int32Array(count * words);
    batch.forEach((c, k) => (own[c * words + (k >> 5)]! |= 1 << (k & 31)));
    for (let c = 0; c < count; c++) {
      const base = c * words;
      let any = 0;
      for (let k = 0; k < words; k++) any |= reach[base + k]! |= own[base + k]!;
      if (!any) continue;
      for (let e = first[c]!; e < first[c + 1]!; e++) {
        const target = next[e]! * words;
        for (let k = 0; k < words; k++) reach[target + k]! |= reach[base + k]!;
      }
    }
    for (const i of open) {
      const k = bit.get(components.of.get(queries[i]!.ancestor)!)! - from;
      if (k < 0 || k >= batch.length) continue;
      const b = components.of.get(queries[i]!.of)!;
      answers[i] = (reach[b * words + (k >> 5)]! & (1 << (k & 31))) !== 0;
    }
  }
  return answers;
}
