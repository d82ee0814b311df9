/** A workflow graph as the DSL has it (nodes with data, edges with handles), containers nesting theirs. */
export interface DslNode {
  id: string;
  type: string;
  data?: Record<string, unknown> & { graph?: DslGraph };
  [k: string]: unknown;
}
export interface DslEdge {
  id?: string;
  source: string;
  target: string;
  sourceHandle?: string;
}
export interface DslGraph {
  nodes: DslNode[];
  edges: DslEdge[];
}

export interface PlacedNode {
  id: string;
  type: string;
  /** the container it is drawn in */
  parentId?: string;
  x: number;
  y: number;
  width: number;
  height: number;
  container: boolean;
  node: DslNode;
}
export interface PlacedEdge {
  id: string;
  source: string;
  target: string;
  label?: string;
}

export const NODE_W = 170;
export const NODE_H = 58;
const GAP_X = 44;
const GAP_Y = 28;
const PAD = 24;
const PAD_TOP = 44;
// A drawing stops at this many nodes in all: a hostile draft cannot freeze the page.
export const MAX_DRAWN_NODES = 2000;

/**
 * Places a graph left to right by layers (each node one layer after the furthest of its sources), a
 * container as a box around its own graph, laid out first. Positions of nodes in a container are
 * relative to it, as the graph library wants. Deterministic: the same graph is drawn the same way.
 */
export function layoutGraph(graph: DslGraph): { nodes: PlacedNode[]; edges: PlacedEdge[]; width: number; height: number } {
  const nodes: PlacedNode[] = [];
  const edges: PlacedEdge[] = [];
  const budget = { left: MAX_DRAWN_NODES };
  const size = place(graph, undefined, nodes, edges, budget, 0);
  return { nodes, edges, ...size };
}

function place(graph: DslGraph, parentId: string | undefined, out: PlacedNode[], edges: PlacedEdge[], budget: { left: number }, depth: number): { width: number; height: number } {
  const list = (Array.isArray(graph?.nodes) ? graph.nodes : []).filter((n) => n && typeof n.id === 'string').slice(0, Math.max(0, budget.left));
  budget.left -= list.length;
  const ids = new Set(list.map((n) => n.id));
  const links = (Array.isArray(graph?.edges) ? graph.edges : []).filter((e) => e && ids.has(e.source) && ids.has(e.target));

  // Layers: longest path from the sources, over the edges; a cycle (an invalid draft) is cut where it closes.
  const incoming = new Map<string, string[]>(list.map((n) => [n.id, []]));
  for (const e of links) incoming.get(e.target)!.push(e.source);
  const layer = new Map<string, number>();
  const visiting = new Set<string>();
  const layerOf = (id: string): number => {
    const known = layer.get(id);
    if (known !== undefined) return known;
    if (visiting.has(id)) return 0;
    visiting.add(id);
    let l = 0;
    for (const s of incoming.get(id) ?? []) l = Math.max(l, layerOf(s) + 1);
    visiting.delete(id);
    layer.set(id, l);
    return l;
  };

  // Sizes first: a container is as big as its own graph.
  const sizes = new Map<string, { width: number; height: number; container: boolean }>();
  const inner = new Map<string, PlacedNode[]>();
  for (const n of list) {
    const sub = n.data?.graph;
    if (sub && typeof sub === 'object' && depth < 8) {
      const placed: PlacedNode[] = [];
      const s = place(sub, n.id, placed, edges, budget, depth + 1);
      inner.set(n.id, placed);
      sizes.set(n.id, { width: Math.max(NODE_W, s.width + PAD * 2), height: Math.max(NODE_H, s.height + PAD_TOP + PAD), container: true });
    } else {
      sizes.set(n.id, { width: NODE_W, height: NODE_H, container: false });
    }
  }

  const columns: DslNode[][] = [];
  for (const n of list) (columns[layerOf(n.id)] ??= []).push(n);
  let x = 0;
  let height = 0;
  const offset = parentId ? { x: PAD, y: PAD_TOP } : { x: 0, y: 0 };
  for (const column of columns) {
    if (!column) continue;
    let y = 0;
    let width = 0;
    for (const n of column) {
      const s = sizes.get(n.id)!;
      out.push({ id: n.id, type: n.type, ...(parentId ? { parentId } : {}), x: x + offset.x, y: y + offset.y, width: s.width, height: s.height, container: s.container, node: n });
      out.push(...(inner.get(n.id) ?? []));
      y += s.height + GAP_Y;
      width = Math.max(width, s.width);
    }
    height = Math.max(height, y - GAP_Y);
    x += width + GAP_X;
  }
  for (const [i, e] of links.entries()) {
    edges.push({ id: e.id ?? `${parentId ?? ''}:${e.source}->${e.target}:${e.sourceHandle ?? ''}:${i}`, source: e.source, target: e.target, ...(e.sourceHandle ? { label: e.sourceHandle } : {}) });
  }
  return { width: Math.max(0, x - GAP_X), height };
}
