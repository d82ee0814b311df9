import { nodeType } from '../nodes/registry';
import type { Graph, GraphNode } from './graph.schema';

/** The inner graph's nodes of a container node (`data.graph.nodes`), when it is one and has them. */
function innerNodes(node: GraphNode): GraphNode[] | undefined {
  if (!nodeType(node.type)?.container) return undefined;
  const inner = (node.data as { graph?: { nodes?: unknown } } | null | undefined)?.graph?.nodes;
  return Array.isArray(inner) ? (inner as GraphNode[]) : undefined;
}

/** Every node of a graph, the inner graphs of containers included, in document order (no recursion). */
export function* allNodes(nodes: readonly GraphNode[]): Generator<GraphNode> {
  const stack: GraphNode[] = [...nodes].reverse();
  while (stack.length) {
    const node = stack.pop()!;
    yield node;
    const inner = innerNodes(node);
    if (inner) for (let i = inner.length - 1; i >= 0; i--) stack.push(inner[i]!);
  }
}

/**
 * The graph with every node's `version` set: a node without one was written (and validated) for
 * its type's current version. Published versions are stamped, so a later change of a node type
 * cannot change what they mean. Types this build does not know are left as they are.
 */
export function stampNodeVersions<G extends Pick<Graph, 'nodes'>>(graph: G): G {
  const copy = structuredCloneJson(graph);
  for (const node of allNodes(copy.nodes)) {
    const def = nodeType(node.type);
    if (def && node.version === undefined) node.version = def.version;
  }
  return copy;
}

/** A deep copy of plain JSON (graphs are JSON documents). */
function structuredCloneJson<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
