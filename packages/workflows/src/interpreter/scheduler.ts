import { CancellationScope } from '@temporalio/workflow';
import { DEFAULT_HANDLE, ERROR_HANDLE, type GraphNode, type RunError } from '@weft/domain';
import type { NodeResult } from '../nodes/node-handler';
import { executeNode, recordSkipped } from './execute-node';
import type { Runtime } from './runtime';
import type { Frame } from './state';

export type ScopeOutcome =
  | { status: 'completed'; partial: boolean; endOutputs: Record<string, unknown> }
  | { status: 'failed'; error: RunError }
  | { status: 'suspended' };

/**
 * Runs one scope's graph as the contract defines: a node is ready when every incoming edge is
 * resolved; it runs if at least one was taken and is skipped (with all its outgoing edges) if none
 * was. Ready nodes run concurrently. The scope ends when nothing is running or ready. When the
 * runtime drains for continue-as-new, nothing new starts and running containers suspend.
 */
export async function runScope(frame: Frame, runtime: Runtime): Promise<ScopeOutcome> {
  const scope = new CancellationScope();
  const outcome = await scope.run(() => schedule(frame, runtime));
  // A failed scope may leave siblings in flight (e.g. an activity): stop them.
  if (outcome.status === 'failed') scope.cancel();
  return outcome;
}

async function schedule(frame: Frame, runtime: Runtime): Promise<ScopeOutcome> {
  const { body, state } = frame;
  const incoming = new Map<string, number[]>();
  const outgoing = new Map<string, number[]>();
  body.edges.forEach((edge, i) => {
    incoming.set(edge.target, [...(incoming.get(edge.target) ?? []), i]);
    outgoing.set(edge.source, [...(outgoing.get(edge.source) ?? []), i]);
  });
  const running = new Map<string, Promise<[GraphNode, NodeResult]>>();
  let suspended = false;

  const resolveOutgoing = (id: string, taken: (handle: string) => boolean) => {
    for (const i of outgoing.get(id) ?? []) state.edges[i] = taken(body.edges[i]!.sourceHandle ?? DEFAULT_HANDLE) ? 'taken' : 'skipped';
  };

  const collectReady = (): GraphNode[] => {
    for (;;) {
      const ready: GraphNode[] = [];
      let skippedAny = false;
      for (const node of body.nodes) {
        if (state.finished[node.id] || running.has(node.id)) continue;
        const edges = incoming.get(node.id) ?? [];
        if (edges.some((i) => state.edges[i] === 'pending')) continue;
        if (edges.length === 0 || edges.some((i) => state.edges[i] === 'taken')) {
          ready.push(node);
        } else {
          state.finished[node.id] = 'skipped';
          recordSkipped(node, frame, runtime);
          resolveOutgoing(node.id, () => false);
          skippedAny = true;
        }
      }
      if (!skippedAny) return ready;
    }
  };

  for (;;) {
    if (!runtime.draining && !suspended) {
      for (const node of collectReady()) running.set(node.id, executeNode(node, frame, runtime).then((r) => [node, r]));
    }
    if (running.size === 0) break;
    const [node, result] = await Promise.race(running.values());
    running.delete(node.id);
    runtime.checkDrain();

    if (result.status === 'suspended') {
      state.suspended[node.id] = result.state;
      suspended = true;
      continue;
    }
    delete state.suspended[node.id];
    state.finished[node.id] = 'ran';
    if (result.status === 'succeeded') {
      state.outputs[node.id] = result.outputs;
      Object.assign(state.endOutputs, result.endOutputs ?? {});
      const handles = result.handles ?? [DEFAULT_HANDLE];
      resolveOutgoing(node.id, (h) => handles.includes(h));
      continue;
    }
    const mode = node.onError ?? 'fail';
    if (mode === 'default') {
      state.partial = true;
      state.outputs[node.id] = { ...(node.default ?? {}) };
      resolveOutgoing(node.id, (h) => h === DEFAULT_HANDLE);
    } else if (mode === 'branch') {
      state.outputs[node.id] = { error: { code: result.error.code, message: result.error.message } };
      resolveOutgoing(node.id, (h) => h === ERROR_HANDLE);
    } else {
      return { status: 'failed', error: { ...result.error, nodeId: result.error.nodeId ?? node.id } };
    }
  }
  if (!body.nodes.every((n) => state.finished[n.id])) return { status: 'suspended' };
  return { status: 'completed', partial: state.partial, endOutputs: state.endOutputs };
}
