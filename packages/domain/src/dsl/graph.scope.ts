import { innerGraphSchema, type InnerGraph } from '../nodes/shared/container.schema';
import { stronglyConnected, type Components } from './graph.ancestry';
import type { Graph, GraphEdge, GraphNode } from './graph.schema';
import type { NodeFactsCache } from './node-facts';

import type { Names } from './node-facts';
export type { Names };

/** What every scope of one validation shares. */
export interface ValidationContext {
  document: Graph;
  /** the document as given, before parsing (parsing drops keys such as `__proto__`) */
  raw: unknown;
  facts: NodeFactsCache;
  /** epoch milliseconds of "now" when the caller gave one; time-relative rules are skipped without it */
  now?: number;
}

/**
 * One graph the validator checks with the same rules: the document's top-level graph, or the inner
 * graph of an iteration or loop. Facts several rules need are computed once here.
 */
export interface ScopeFacts {
  context: ValidationContext;
  document: Graph;
  /** the graph of this scope, as a Graph so node types can compute their outputs from it */
  graph: Graph;
  /** path from the document root to this scope's graph: [] or [..., 'nodes', i, 'data', 'graph'] */
  base: (string | number)[];
  /** the container whose inner graph this is */
  container?: GraphNode;
  /** the scope the container is in */
  parent?: ScopeFacts;
  /** what the container's error messages call this scope */
  label: string;
  byId: Map<string, GraphNode>;
  /** node id → ids of nodes with an edge into it (known nodes only, one entry per edge) */
  parents: Map<string, string[]>;
  children: Map<string, string[]>;
  /** names enclosing containers add: container id → local names (`item`, `index`, loop variables) */
  locals: Map<string, Names>;
  /** the nearest enclosing loop, which `assign` writes */
  loop?: GraphNode;
  /** strongly connected components, computed on first use */
  components(): Components;
}

type ScopeContext = Pick<ScopeFacts, 'base' | 'container' | 'parent' | 'label' | 'locals' | 'loop'>;

function appendTo(map: Map<string, string[]>, key: string, value: string): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function buildScope(context: ValidationContext, nodes: GraphNode[], edges: GraphEdge[], where: ScopeContext): ScopeFacts {
  const { document } = context;
  const byId = new Map<string, GraphNode>();
  for (const n of nodes) {
    if (!byId.has(n.id)) byId.set(n.id, n);
    context.facts.add(n, !where.container);
  }
  const parents = new Map<string, string[]>();
  const children = new Map<string, string[]>();
  for (const e of edges) {
    if (!byId.has(e.source) || !byId.has(e.target)) continue;
    appendTo(parents, e.target, e.source);
    appendTo(children, e.source, e.target);
  }
  const graph: Graph = where.container ? { dsl: document.dsl, nodes, edges } : document;
  let components: Components | undefined;
  return {
    context,
    document,
    graph,
    byId,
    parents,
    children,
    ...where,
    components: () => (components ??= stronglyConnected(nodes.map((n) => n.id), children)),
  };
}

/** The inner graph of a container: from its parsed data, else parsed alone (the rest of its data may be bad). */
function innerGraphOf(node: GraphNode, context: ValidationContext): InnerGraph | undefined {
  const data = context.facts.data(node) as { graph?: InnerGraph } | undefined;
  if (data?.graph) return data.graph;
  const inner = innerGraphSchema.safeParse((node.data as { graph?: unknown } | null | undefined)?.graph);
  return inner.success ? inner.data : undefined;
}

/**
 * Every scope of the document, outermost first (depth-first, in node order). Inner graphs that do
 * not parse are skipped (reported as bad data). No recursion: nesting is walked with a stack.
 */
export function scopesOf(context: ValidationContext): ScopeFacts[] {
  const scopes: ScopeFacts[] = [];
  const { document } = context;
  const pending: ScopeFacts[] = [buildScope(context, document.nodes, document.edges, { base: [], label: 'the graph', locals: new Map() })];
  while (pending.length) {
    const scope = pending.pop()!;
    scopes.push(scope);
    const inner: ScopeFacts[] = [];
    scope.graph.nodes.forEach((node, i) => {
      const container = context.facts.of(node).def?.container;
      if (!container) return;
      const graph = innerGraphOf(node, context);
      if (!graph) return;
      const locals = new Map(scope.locals);
      const names = container.locals(node.data);
      locals.set(node.id, { list: names, set: new Set(names) });
      inner.push(
        buildScope(context, graph.nodes, graph.edges, {
          base: [...scope.base, 'nodes', i, 'data', 'graph'],
          container: node,
          parent: scope,
          label: `the inner graph of '${node.id}'`,
          locals,
          ...(container.loopVariables ? { loop: node } : scope.loop ? { loop: scope.loop } : {}),
        }),
      );
    });
    for (let k = inner.length - 1; k >= 0; k--) pending.push(inner[k]!);
  }
  return scopes;
}
