import { DEFAULT_HANDLE, type RerunSeed } from '@weft/domain';
import { newScopeState, setOwn, type GraphBody, type ScopeState } from './state';

/**
 * The top-level scope's state a rerun begins with: every reused node finished as its origin
 * recorded it (outputs in the pool, an end node's outputs merged into the run's), and each of its
 * outgoing edges taken or skipped by the handles it took there. The scheduler then never starts
 * these nodes: a node it finds finished is not ready, so no activity, child run or timer of theirs
 * runs again, and the nodes after them see their edges already resolved.
 */
export function rerunScopeState(body: GraphBody, rerun: RerunSeed): ScopeState {
  const state = newScopeState(body);
  const types = new Map(body.nodes.map((n) => [n.id, n.type]));
  const taken = new Map<string, ReadonlySet<string>>();
  for (const node of rerun.reused) {
    if (!types.has(node.nodeId)) continue;
    setOwn(state.finished, node.nodeId, node.outcome);
    taken.set(node.nodeId, new Set(node.outcome === 'ran' ? (node.handles ?? [DEFAULT_HANDLE]) : []));
    if (node.outcome !== 'ran') continue;
    if (types.get(node.nodeId) === 'end') {
      // As the end handler does: its outputs are the run's, its own pool entry is empty.
      setOwn(state.outputs, node.nodeId, {});
      for (const [name, value] of Object.entries(node.outputs ?? {})) setOwn(state.endOutputs, name, value);
    } else {
      setOwn(state.outputs, node.nodeId, node.outputs ?? {});
    }
    if (node.defaulted) state.partial = true;
  }
  body.edges.forEach((edge, i) => {
    const handles = taken.get(edge.source);
    if (handles) state.edges[i] = handles.has(edge.sourceHandle ?? DEFAULT_HANDLE) ? 'taken' : 'skipped';
  });
  return state;
}
