import { containerLocals } from '../nodes/container.schema';
import { innerGraphSchema } from '../nodes/container.schema';
import { nodeType } from '../nodes/registry';
import type { Graph, GraphEdge, GraphNode } from './graph.schema';

/**
 * One graph the validator checks with the same rules: the document's top-level graph, or the inner
 * graph of an iteration or loop. Facts several rules need are computed once here.
 */
export interface ScopeFacts {
  document: Graph;
  /** the graph of this scope, as a Graph so node types can compute their outputs from it */
  graph: Graph;
  /** path from the document root to this scope's graph: [] or [..., 'nodes', i, 'data', 'graph'] */
  base: (string | number)[];
  /** the container whose inner graph this is */
  container?: GraphNode;
  /** what the container's error messages call this scope */
  label: string;
  byId: Map<string, GraphNode>;
  /** node id → ids of nodes with an edge into it (known nodes only) */
  parents: Map<string, string[]>;
  children: Map<string, string[]>;
  /** nodes of enclosing scopes that have surely run before this scope runs */
  outer: Map<string, GraphNode>;
  /** names enclosing containers add: container id → local names (`item`, `index`, loop variables) */
  locals: Map<string, readonly string[]>;
  /** the nearest enclosing loop, which `assign` writes */
  loop?: GraphNode;
}

export function ancestorsOf(id: string, parents: Map<string, string[]>): Set<string> {
  const seen = new Set<string>();
  const queue = [...(parents.get(id) ?? [])];
  while (queue.length) {
    const p = queue.shift()!;
    if (seen.has(p)) continue;
    seen.add(p);
    queue.push(...(parents.get(p) ?? []));
  }
  return seen;
}

function buildScope(
  document: Graph,
  nodes: GraphNode[],
  edges: GraphEdge[],
  context: Pick<ScopeFacts, 'base' | 'container' | 'label' | 'outer' | 'locals' | 'loop'>,
): ScopeFacts {
  const byId = new Map<string, GraphNode>();
  for (const n of nodes) if (!byId.has(n.id)) byId.set(n.id, n);
  const parents = new Map<string, string[]>();
  const children = new Map<string, string[]>();
  for (const e of edges) {
    if (!byId.has(e.source) || !byId.has(e.target)) continue;
    parents.set(e.target, [...(parents.get(e.target) ?? []), e.source]);
    children.set(e.source, [...(children.get(e.source) ?? []), e.target]);
  }
  const graph: Graph = context.container ? { dsl: document.dsl, nodes, edges } : document;
  return { document, graph, byId, parents, children, ...context };
}

/** Every scope of the document, outermost first. Inner graphs that do not parse are skipped (reported as bad data). */
export function scopesOf(document: Graph): ScopeFacts[] {
  const scopes: ScopeFacts[] = [];
  const visit = (scope: ScopeFacts) => {
    scopes.push(scope);
    scope.graph.nodes.forEach((node, i) => {
      if (!nodeType(node.type)?.container) return;
      const inner = innerGraphSchema.safeParse((node.data as { graph?: unknown } | undefined)?.graph);
      if (!inner.success) return;
      const outer = new Map(scope.outer);
      for (const id of ancestorsOf(node.id, scope.parents)) outer.set(id, scope.byId.get(id)!);
      const locals = new Map(scope.locals);
      locals.set(node.id, containerLocals(node.type, node.data) ?? []);
      visit(
        buildScope(document, inner.data.nodes, inner.data.edges, {
          base: [...scope.base, 'nodes', i, 'data', 'graph'],
          container: node,
          label: `the inner graph of '${node.id}'`,
          outer,
          locals,
          ...(node.type === 'loop' ? { loop: node } : scope.loop ? { loop: scope.loop } : {}),
        }),
      );
    });
  };
  visit(buildScope(document, document.nodes, document.edges, { base: [], label: 'the graph', outer: new Map(), locals: new Map() }));
  return scopes;
}
