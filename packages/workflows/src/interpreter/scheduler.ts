import { CancellationScope } from '@temporalio/workflow';
import { DEFAULT_HANDLE, ERROR_HANDLE, own, type GraphNode } from '@weft/domain';
import type { NodeResult } from '../nodes/node-handler';
import { executeNode, recordSkipped } from './execute-node';
import { referenceId } from './run-errors';
import type { Runtime } from './runtime';
import { setOwn, type Frame, type ScopeOutcome } from './state';

export type { ScopeOutcome } from './state';

const RESUMED: unique symbol = Symbol('resumed');

/**
 * Runs one scope's graph as the contract defines: a node is ready when every incoming edge is
 * resolved; it runs if at least one was taken and is skipped (with all its outgoing edges) if none
 * was. Ready nodes run concurrently. The scope ends when nothing is running or ready. When the
 * runtime drains for continue-as-new, nothing new starts and running containers suspend.
 */
export async function runScope(frame: Frame, runtime: Runtime): Promise<ScopeOutcome> {
  const scope = new CancellationScope();
  let outcome: ScopeOutcome;
  try {
    outcome = await scope.run(() => schedule(frame, runtime));
  } catch (err) {
    // A run-wide failure passing through: stop what this scope still has in flight.
    scope.cancel();
    throw err;
  }
  // A failed scope may leave siblings in flight (e.g. an activity): stop them.
  if (outcome.status === 'failed') scope.cancel();
  return outcome;
}

/** Edge indices by node id, built once per scope run (Maps: node ids are user text). */
function edgeIndex(frame: Frame) {
  const incoming = new Map<string, number[]>();
  const outgoing = new Map<string, number[]>();
  frame.body.edges.forEach((edge, i) => {
    let into = incoming.get(edge.target);
    if (!into) incoming.set(edge.target, (into = []));
    into.push(i);
    let from = outgoing.get(edge.source);
    if (!from) outgoing.set(edge.source, (from = []));
    from.push(i);
  });
  return { incoming, outgoing };
}

async function schedule(frame: Frame, runtime: Runtime): Promise<ScopeOutcome> {
  const { body, state } = frame;
  const { incoming, outgoing } = edgeIndex(frame);
  const running = new Map<string, Promise<[GraphNode, NodeResult]>>();
  const finished = (id: string) => own(state.finished, id) !== undefined;
  let suspended = false;

  const resolveOutgoing = (id: string, taken: (handle: string) => boolean) => {
    for (const i of outgoing.get(id) ?? []) state.edges[i] = taken(body.edges[i]!.sourceHandle ?? DEFAULT_HANDLE) ? 'taken' : 'skipped';
  };

  const collectReady = (): GraphNode[] => {
    for (;;) {
      const ready: GraphNode[] = [];
      let skippedAny = false;
      for (const node of body.nodes) {
        if (finished(node.id) || running.has(node.id)) continue;
        const edges = incoming.get(node.id) ?? [];
        if (edges.some((i) => state.edges[i] === 'pending')) continue;
        if (edges.length === 0 || edges.some((i) => state.edges[i] === 'taken')) {
          ready.push(node);
        } else {
          setOwn(state.finished, node.id, 'skipped');
          recordSkipped(node, frame, runtime);
          resolveOutgoing(node.id, () => false);
          skippedAny = true;
        }
      }
      if (!skippedAny) return ready;
    }
  };

  const { control } = runtime;
  for (;;) {
    if (!runtime.draining && !suspended && !control.paused) {
      for (const node of collectReady()) running.set(node.id, executeNode(node, frame, runtime, runScope).then((r) => [node, r]));
    }
    if (running.size === 0) {
      // Paused with nothing in flight: wait for the resume.
      if (control.paused && !runtime.draining && !suspended) {
        await control.whenResumed();
        continue;
      }
      break;
    }
    // Paused: nodes in flight finish, and a resume starts what became ready meanwhile.
    const next: [GraphNode, NodeResult] | typeof RESUMED = control.paused
      ? await Promise.race<[GraphNode, NodeResult] | typeof RESUMED>([...running.values(), control.whenResumed().then(() => RESUMED)])
      : await Promise.race(running.values());
    if (next === RESUMED) continue;
    const [node, result] = next;
    running.delete(node.id);
    runtime.checkDrain();
    const flush = runtime.flushIfDue();
    if (flush) await flush;

    if (result.status === 'suspended') {
      setOwn(state.suspended, node.id, result.state);
      suspended = true;
      continue;
    }
    delete state.suspended[node.id];
    setOwn(state.finished, node.id, 'ran');
    if (result.status === 'succeeded') {
      setOwn(state.outputs, node.id, result.outputs);
      for (const [name, value] of Object.entries(result.endOutputs ?? {})) setOwn(state.endOutputs, name, value);
      const handles = result.handles ?? [DEFAULT_HANDLE];
      resolveOutgoing(node.id, (h) => handles.includes(h));
      continue;
    }
    const mode = node.onError ?? 'fail';
    if (mode === 'default') {
      state.partial = true;
      setOwn(state.outputs, node.id, { ...(node.default ?? {}) });
      resolveOutgoing(node.id, (h) => h === DEFAULT_HANDLE);
    } else if (mode === 'branch') {
      setOwn(state.outputs, node.id, { error: { code: result.error.code, message: result.error.message } });
      resolveOutgoing(node.id, (h) => h === ERROR_HANDLE);
    } else {
      return { status: 'failed', error: { ...result.error, nodeId: result.error.nodeId ?? node.id } };
    }
  }
  if (body.nodes.every((n) => finished(n.id))) return { status: 'completed', partial: state.partial, endOutputs: state.endOutputs };
  if (runtime.draining || suspended) return { status: 'suspended' };
  // Nothing runs, nothing is ready, yet nodes never ran: a graph the scheduler cannot finish. That
  // is a failure of the run, never a reason to continue-as-new (which would repeat it for ever).
  const stuck = body.nodes.filter((n) => !finished(n.id)).map((n) => `'${n.id}'`);
  return {
    status: 'failed',
    error: { code: 'run_stalled', message: `The run cannot go on: ${stuck.slice(0, 5).join(', ')}${stuck.length > 5 ? ', …' : ''} can never become ready (reference ${referenceId()})` },
  };
}
