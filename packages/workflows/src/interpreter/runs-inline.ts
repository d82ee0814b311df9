import { nodeType, type Graph, type GraphNode, type RunnableNodeType } from '@weft/domain';

/**
 * Node types that run inside the workflow and never wait: no activity, no timer, no person, no
 * child run. A type joins only by being listed here, so a new type is taken to wait until it is.
 */
const INLINE_TYPES: ReadonlySet<RunnableNodeType> = new Set<RunnableNodeType>([
  'start',
  'end',
  'template',
  'if-else',
  'variable-aggregator',
  'assign',
  'list-operator',
  'iteration',
  'loop',
]);

/** Whether any node of a graph, or of the inner graphs of its containers, is one `test` accepts. */
function someNode(graph: Pick<Graph, 'nodes'>, test: (node: GraphNode) => boolean): boolean {
  return graph.nodes.some((node) => {
    if (test(node)) return true;
    const inner = nodeType(node.type)?.container ? (node.data as { graph?: Pick<Graph, 'nodes'> } | undefined)?.graph : undefined;
    return inner !== undefined && someNode(inner, test);
  });
}

/**
 * Whether a graph, with the inner graphs of its containers, holds only nodes that never wait. Such
 * a run does its work inside workflow tasks alone and usually ends within its first one. (A
 * template that reads a value kept outside history renders in an activity, and a run too heavy for
 * one activation pauses: both rare, and both still correct, see RunRecords.deferStart.)
 */
export function runsInline(graph: Pick<Graph, 'nodes'>): boolean {
  return !someNode(graph, (node) => !INLINE_TYPES.has(node.type as RunnableNodeType));
}

/** Whether a run of this graph can open an approval of its own (a child run's are its own). */
export function opensApprovals(graph: Pick<Graph, 'nodes'>): boolean {
  return someNode(graph, (node) => node.type === 'approval');
}
