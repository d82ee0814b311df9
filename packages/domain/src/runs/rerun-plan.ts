import { ValidationFailedError, type Issue } from '../errors/domain.errors';
import { describe } from '../errors/catalogue';
import { DEFAULT_HANDLE, ERROR_HANDLE, type Graph, type GraphNode } from '../dsl/graph.schema';
import { allNodes } from '../dsl/graph.walk';
import { nodeType } from '../nodes/registry';
import { findReferences, walkStrings } from '../refs/reference';
import { templateVariables } from '../templates/template-engine';
import type { RunError } from './run-status';
import type { ReusedNode } from './run.contract';

/** A top-level node's record in the origin run, as PostgreSQL holds it. */
export interface OriginRecord {
  nodeId: string;
  status: string;
  outputs?: Record<string, unknown> | null;
  error?: RunError | null;
  handles?: string[] | null;
}

export interface RerunRequest {
  graph: Graph;
  originRunId: string;
  /** the node the request names: a node of the top-level graph or of a container's inner graph */
  fromNodeId: string;
  /** the origin's inputs (defaults applied) and the new run's */
  originInputs: Record<string, unknown>;
  inputs: Record<string, unknown>;
  /** the origin's records of top-level nodes (key = node id), in the order it wrote them */
  records: OriginRecord[];
}

export interface RerunPlan {
  /** the top-level node the rerun starts from: the requested one, or the container that holds it */
  fromNodeId: string;
  /** the nodes taken over, in the order the origin recorded them */
  reused: ReusedNode[];
  /** run inputs whose value differs from the origin's */
  changedInputs: string[];
}

const plural = (names: string[]) => names.map((n) => `'${n}'`).join(', ');

/**
 * What a rerun reuses and what it runs again. It reuses every ancestor of the node it starts from
 * in the top-level graph (a node inside an iteration or a loop reruns from its top-level
 * container: an inner node's outputs exist once per item or pass, and the container is the unit
 * the scheduler runs), each as the origin recorded it: outputs, and the handles its edges left
 * by. The start node is not reused: it runs again and hands the rerun's inputs on. Refused
 * (422): a node the graph does not have, an ancestor without a reusable record, and changed
 * inputs that a reused node reads (its outputs would not be what the new inputs give).
 */
export function planRerun(req: RerunRequest): RerunPlan {
  const { graph, originRunId } = req;
  const top = topLevelNodeOf(graph, req.fromNodeId);
  if (!top) {
    const message = describe('rerun_node_unknown', { nodeId: req.fromNodeId });
    throw new ValidationFailedError('rerun_node_unknown', message, [{ code: 'rerun_node_unknown', message, path: ['body', 'fromNodeId'] }]);
  }
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const ancestors = ancestorsOf(graph, top.id);
  const records = new Map(req.records.map((r) => [r.nodeId, r]));
  const order = new Map(req.records.map((r, i) => [r.nodeId, i]));

  const reused: ReusedNode[] = [];
  const problems: Issue[] = [];
  // In document order, so that the problems are listed the same way every time.
  for (const node of graph.nodes) {
    if (!ancestors.has(node.id) || node.type === 'start') continue;
    const outcome = reusedOutcome(node, records.get(node.id), originRunId);
    if ('problem' in outcome) problems.push({ code: 'rerun_not_possible', message: outcome.problem, nodeId: node.id });
    else reused.push(outcome);
  }
  if (problems.length) {
    const reason = problems.length === 1 ? problems[0]!.message : `${problems[0]!.message} (and ${problems.length - 1} more, listed in details.issues)`;
    throw new ValidationFailedError('rerun_not_possible', describe('rerun_not_possible', { nodeId: `'${req.fromNodeId}'`, reason }), problems);
  }
  reused.sort((a, b) => order.get(a.nodeId)! - order.get(b.nodeId)!);

  const changedInputs = changedNames(req.originInputs, req.inputs);
  if (changedInputs.length) {
    const startId = graph.nodes.find((n) => n.type === 'start')?.id;
    const changed = new Set(changedInputs);
    const conflicts: Issue[] = [];
    const names = new Set<string>();
    for (const r of reused) {
      if (r.outcome !== 'ran' || startId === undefined) continue;
      const read = inputsRead(byId.get(r.nodeId)!, startId);
      const hit = read === 'all' ? changedInputs : [...read].filter((n) => changed.has(n));
      if (!hit.length) continue;
      hit.forEach((n) => names.add(n));
      conflicts.push({ code: 'rerun_inputs_conflict', message: `node '${r.nodeId}' reads ${hit.length > 1 ? 'inputs' : 'input'} ${plural(hit)}`, nodeId: r.nodeId, path: ['body', 'inputs', hit[0]!] });
    }
    if (conflicts.length) {
      const message = describe('rerun_inputs_conflict', { inputs: plural([...names]), nodes: plural(conflicts.map((c) => c.nodeId!)) });
      throw new ValidationFailedError('rerun_inputs_conflict', message, conflicts);
    }
  }
  return { fromNodeId: top.id, reused, changedInputs };
}

/** The top-level node that is `id` or holds it in its inner graph (ids are unique in the whole document). */
function topLevelNodeOf(graph: Graph, id: string): GraphNode | undefined {
  for (const top of graph.nodes) for (const n of allNodes([top])) if (n.id === id) return top;
  return undefined;
}

/** Every node with a path of edges to `id` in the top-level graph (iterative: no depth limit). */
function ancestorsOf(graph: Graph, id: string): Set<string> {
  const parents = new Map<string, string[]>();
  for (const e of graph.edges) parents.set(e.target, [...(parents.get(e.target) ?? []), e.source]);
  const seen = new Set<string>();
  const stack = [id];
  while (stack.length) {
    for (const p of parents.get(stack.pop()!) ?? []) {
      if (seen.has(p) || p === id) continue;
      seen.add(p);
      stack.push(p);
    }
  }
  return seen;
}

/** How a node ended in the origin, as the rerun takes it over; or why it cannot be. */
function reusedOutcome(node: GraphNode, rec: OriginRecord | undefined, originRunId: string): ReusedNode | { problem: string } {
  const nodeId = node.id;
  const ran = (outputs: Record<string, unknown>, handles: string[], defaulted = false): ReusedNode => ({ nodeId, outcome: 'ran', outputs, handles, ...(defaulted ? { defaulted } : {}) });
  const branchOutputs = (e: RunError | null | undefined) => ({ error: { code: e?.code ?? 'internal_error', message: e?.message ?? '' } });
  if (!rec) return { problem: `node '${nodeId}', which precedes it, did not finish in run ${originRunId}` };
  switch (rec.status) {
    case 'skipped':
      return { nodeId, outcome: 'skipped' };
    case 'succeeded': {
      const handles = rec.handles ?? derivedHandles(node, rec.outputs ?? {});
      if (!handles) return { problem: `run ${originRunId} was recorded before Weft kept which branch a node took, and that of node '${nodeId}' cannot be told` };
      return ran(rec.outputs ?? {}, handles);
    }
    case 'defaulted':
      return ran(rec.outputs ?? { ...(node.default ?? {}) }, [DEFAULT_HANDLE], true);
    case 'failed':
      // A failure that took the error branch let the run go on; any other ended it.
      if (rec.handles ? rec.handles.includes(ERROR_HANDLE) : node.onError === 'branch') return ran(branchOutputs(rec.error), [ERROR_HANDLE]);
      return { problem: `node '${nodeId}', which precedes it, failed in run ${originRunId}` };
    case 'reused': {
      // Taken over by the origin from its own origin: the error tells a default or error branch apart.
      if (!rec.handles) return { problem: `node '${nodeId}' has no recorded branch in run ${originRunId}` };
      const defaulted = !!rec.error && !rec.handles.includes(ERROR_HANDLE);
      return ran(rec.outputs ?? (rec.error && !defaulted ? branchOutputs(rec.error) : {}), rec.handles, defaulted);
    }
    default:
      return { problem: `node '${nodeId}', which precedes it, is '${rec.status}' in run ${originRunId}` };
  }
}

/**
 * The handles a success took, for records written before they were kept: a type with one
 * handle (or none) took it; an if-else's outputs name its case. Anything else cannot be told.
 */
function derivedHandles(node: GraphNode, outputs: Record<string, unknown>): string[] | undefined {
  if (node.type === 'if-else') return typeof outputs.result === 'string' ? [outputs.result] : undefined;
  let declared: readonly string[] | undefined;
  try {
    declared = nodeType(node.type)?.handles(node.data as never);
  } catch {
    declared = undefined;
  }
  return declared && declared.length <= 1 ? [...declared] : undefined;
}

/** Names whose value differs (present in one only, or another JSON value). */
function changedNames(before: Record<string, unknown>, after: Record<string, unknown>): string[] {
  const names = new Set([...Object.keys(before), ...Object.keys(after)]);
  const has = (o: Record<string, unknown>, k: string) => Object.prototype.hasOwnProperty.call(o, k);
  return [...names].filter((k) => has(before, k) !== has(after, k) || canonical(before[k]) !== canonical(after[k])).sort();
}

/** JSON with sorted keys, so that key order is no change (values are JSON: the API parsed them). */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, (v as Record<string, unknown>)[k]])) : v,
  );
}

/**
 * The run inputs a node reads (inner graphs included): its references to the start node, Liquid
 * fields by what Liquid's analysis finds. `all` when it reads the whole start node (or a part
 * Liquid cannot name statically, like `start[key]`).
 */
export function inputsRead(node: GraphNode, startId: string): Set<string> | 'all' {
  const read = new Set<string>();
  for (const n of allNodes([node])) {
    const def = nodeType(n.type);
    const data = def?.container && n.data !== null && typeof n.data === 'object' ? { ...(n.data as Record<string, unknown>), graph: undefined } : n.data;
    for (const text of walkStrings(data)) {
      const liquid = def?.liquidFields?.includes(String(text.path[0])) ? templateVariables(text.text) : undefined;
      const refs = liquid ? liquid.map((v) => ({ nodeId: v.head, path: v.path })) : findReferences(text.text);
      for (const ref of refs) {
        if (ref.nodeId !== startId) continue;
        if (ref.path[0] === undefined) return 'all';
        read.add(ref.path[0]);
      }
    }
  }
  return read;
}
