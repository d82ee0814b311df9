/**
 * Graph shapes for `npm run bench:validate`, each built to a target node count (inner graphs
 * included) and staying within the default edge cap (at most five edges per node).
 */
type Node = { id: string; type: string; data?: unknown };
type Edge = { source: string; target: string; sourceHandle?: string };
export interface BenchGraph {
  dsl: 'weft/v1';
  inputs: Record<string, { type: 'string'; required?: boolean }>;
  nodes: Node[];
  edges: Edge[];
}

const tpl = (id: string, template: string): Node => ({ id, type: 'template', data: { template } });
const doc = (nodes: Node[], edges: Edge[]): BenchGraph => ({ dsl: 'weft/v1', inputs: { q: { type: 'string', required: true } }, nodes, edges });

/** start → t1 → … → end, each node reading the one before it. */
export function chain(n: number): BenchGraph {
  const nodes: Node[] = [{ id: 'start', type: 'start' }];
  const edges: Edge[] = [];
  let prev = 'start';
  for (let i = 1; i < n - 1; i++) {
    nodes.push(tpl(`t${i}`, i === 1 ? '{{ start.q }}' : `{{ t${i - 1}.text }}!`));
    edges.push({ source: prev, target: `t${i}` });
    prev = `t${i}`;
  }
  nodes.push({ id: 'done', type: 'end', data: { outputs: { last: `{{ ${prev}.text }}` } } });
  edges.push({ source: prev, target: 'done' });
  return doc(nodes, edges);
}

/** Layers five wide, every node joined to every node of the next layer: about five edges per node. */
export function mesh(n: number): BenchGraph {
  const width = 5;
  const layers = Math.max(1, Math.floor((n - 2) / width));
  const nodes: Node[] = [{ id: 'start', type: 'start' }];
  const edges: Edge[] = [];
  let previous = ['start'];
  for (let l = 0; l < layers; l++) {
    const layer = Array.from({ length: width }, (_, k) => `m${l}_${k}`);
    for (const id of layer) nodes.push(tpl(id, `{{ start.q }} ${l > 0 ? `{{ m${l - 1}_0.text }}` : ''}`));
    for (const s of previous) for (const t of layer) edges.push({ source: s, target: t });
    previous = layer;
  }
  nodes.push({ id: 'done', type: 'end', data: { outputs: { any: `{{ ${previous[0]}.text }}` } } });
  for (const s of previous) edges.push({ source: s, target: 'done' });
  return doc(nodes, edges);
}

/**
 * Every node reads several nodes upstream (its two predecessors, one far back, the start) and the
 * end reads them all: as many distinct reference targets as nodes.
 */
export function references(n: number): BenchGraph {
  const nodes: Node[] = [{ id: 'start', type: 'start' }];
  const edges: Edge[] = [];
  const ids = ['start'];
  for (let i = 1; i < n - 1; i++) {
    const id = `r${i}`;
    const reads = [ids[i - 1], ids[i - 2], ids[Math.floor(i / 2)]].filter((x): x is string => x !== undefined && x !== 'start');
    nodes.push(tpl(id, `{{ start.q }} ${reads.map((r) => `{{ ${r}.text }}`).join(' ')}`));
    edges.push({ source: ids[i - 1]!, target: id });
    if (i >= 2) edges.push({ source: ids[i - 2]!, target: id });
    ids.push(id);
  }
  const outputs = Object.fromEntries(ids.slice(1).map((id) => [id, `{{ ${id}.text }}`]));
  nodes.push({ id: 'done', type: 'end', data: { outputs } });
  edges.push({ source: ids[ids.length - 1]!, target: 'done' });
  return doc(nodes, edges);
}

/** Iterations holding loops holding iterations, four containers deep, in a chain of such units. */
export function nested(n: number): BenchGraph {
  const depth = 4;
  const perUnit = depth * 4;
  const units = Math.max(1, Math.floor((n - 2) / perUnit));
  const build = (unit: number, level: number): Node => {
    const id = `c${unit}_${level}`;
    const p = `${id}_`;
    const isLoop = level % 2 === 1;
    const body: Node[] = [{ id: `${p}s`, type: 'start' }];
    body.push(isLoop ? { id: `${p}a`, type: 'assign', data: { assignments: [{ variable: 'acc', op: 'append', value: `{{ ${id}.index }}` }] } } : tpl(`${p}a`, `{{ ${id}.item }} {{ start.q }}`));
    const innerEdges: Edge[] = [{ source: `${p}s`, target: `${p}a` }];
    let last = `${p}a`;
    if (level < depth - 1) {
      body.push(build(unit, level + 1));
      innerEdges.push({ source: last, target: `c${unit}_${level + 1}` });
      last = `c${unit}_${level + 1}`;
    }
    body.push({ id: `${p}e`, type: 'end', data: { outputs: {} } });
    innerEdges.push({ source: last, target: `${p}e` });
    const graph = { nodes: body, edges: innerEdges };
    return isLoop
      ? { id, type: 'loop', data: { variables: { acc: [] }, maxIterations: 3, graph } }
      : { id, type: 'iteration', data: { items: '{{ start.q }}', graph } };
  };
  const nodes: Node[] = [{ id: 'start', type: 'start' }];
  const edges: Edge[] = [];
  let prev = 'start';
  for (let u = 0; u < units; u++) {
    nodes.push(build(u, 0));
    edges.push({ source: prev, target: `c${u}_0` });
    prev = `c${u}_0`;
  }
  nodes.push({ id: 'done', type: 'end', data: { outputs: { r: `{{ ${prev}.results }}` } } });
  edges.push({ source: prev, target: 'done' });
  return doc(nodes, edges);
}

/**
 * The graph of issue 7, item 3: 300 nodes and an edge from every node to every later one (44,850
 * edges, about 1.7 MB of JSON), each node reading its predecessor.
 */
export function hostile(): BenchGraph {
  const count = 300;
  const ids = Array.from({ length: count }, (_, i) => (i === 0 ? 'start' : i === count - 1 ? 'done' : `node${i}`));
  const nodes: Node[] = ids.map((id, i) =>
    i === 0 ? { id, type: 'start' } : i === count - 1 ? { id, type: 'end', data: { outputs: { x: `{{ ${ids[i - 1]}.text }}` } } } : tpl(id, i === 1 ? '{{ start.q }}' : `{{ ${ids[i - 1]}.text }} {{ start.q }}`),
  );
  const edges: Edge[] = [];
  for (let i = 0; i < count; i++) for (let j = i + 1; j < count; j++) edges.push({ source: ids[i]!, target: ids[j]! });
  return doc(nodes, edges);
}

/** A template of one hostile text between a start and an end. */
export function withTemplate(template: string): BenchGraph {
  return doc([{ id: 'start', type: 'start' }, tpl('t', template), { id: 'done', type: 'end', data: { outputs: { x: '{{ t.text }}' } } }], [
    { source: 'start', target: 't' },
    { source: 't', target: 'done' },
  ]);
}

/** Texts on which the scanner's regular expressions used to backtrack (quadratic or worse). */
export const HOSTILE_TEXTS: [string, string][] = [
  ['unclosed `{% for a in` and 5,000 spaces', `{% for a in ${' '.repeat(5_000)}x`],
  ['unclosed `{% for a in` and 90,000 spaces', `{% for a in ${' '.repeat(90_000)}x`],
  ['25,000 unclosed filter tails `{{a|`', '{{a|'.repeat(25_000)],
];

/** Counts nodes of every scope and edges, as the caps do. */
export function sizeOf(graph: BenchGraph): { nodes: number; edges: number } {
  let nodes = 0;
  let edges = 0;
  const stack: { nodes: Node[]; edges: Edge[] }[] = [graph];
  while (stack.length) {
    const g = stack.pop()!;
    nodes += g.nodes.length;
    edges += g.edges.length;
    for (const node of g.nodes) {
      const inner = (node.data as { graph?: { nodes: Node[]; edges: Edge[] } } | undefined)?.graph;
      if (inner) stack.push(inner);
    }
  }
  return { nodes, edges };
}
