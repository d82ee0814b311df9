import { allNodes, type Graph, type RunnableNodeType } from '@weft/domain';

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

/**
 * Whether a graph, with the inner graphs of its containers, holds only nodes that never wait. Such
 * a run does its work inside workflow tasks alone and usually ends within its first one. (A
 * template that reads a value kept outside history renders in an activity, and a run too heavy for
 * one activation pauses: both rare, and both still correct, see RunRecords.deferStart.)
 */
export function runsInline(graph: Pick<Graph, 'nodes'>): boolean {
  for (const node of allNodes(graph.nodes)) if (!INLINE_TYPES.has(node.type as RunnableNodeType)) return false;
  return true;
}

/** Whether a run of this graph can open an approval of its own (a child run's are its own). */
export function opensApprovals(graph: Pick<Graph, 'nodes'>): boolean {
  for (const node of allNodes(graph.nodes)) if (node.type === 'approval') return true;
  return false;
}
