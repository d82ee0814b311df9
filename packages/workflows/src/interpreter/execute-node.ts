import { ActivityFailure, ApplicationFailure, WorkflowError, isCancellation, proxyActivities } from '@temporalio/workflow';
import {
  DEFAULT_HANDLE,
  ERROR_HANDLE,
  NODE_STEP_COST,
  NON_RETRYABLE_CODES,
  isBlobRef,
  measureValue,
  nodeType,
  nodeVersionOf,
  own,
  resolveValue,
  upgradeNodeData,
  type BlobRef,
  type GraphNode,
  type NodeActivities,
  type NodeLocation,
  type NodeRecord,
  type VariablePool,
} from '@weft/domain';
import { NODE_HANDLERS } from '../nodes/handlers';
import { failed, failedWith, type ChildScopeRequest, type NodeContext, type NodeHandler, type NodeResult } from '../nodes/node-handler';
import { RunAborted, internalError } from './run-errors';
import type { Runtime } from './runtime';
import { nodeKey, poolOf, type Frame, type ScopeRunner } from './state';

export function locationOf(nodeId: string, frame: Frame): NodeLocation {
  const lastOf = (kind: 'each' | 'loop') => [...frame.path].reverse().find((p) => p.kind === kind)?.index;
  const iterationIndex = lastOf('each');
  const loopIndex = lastOf('loop');
  return {
    nodeId,
    key: nodeKey(nodeId, frame.path),
    ...(iterationIndex !== undefined ? { iterationIndex } : {}),
    ...(loopIndex !== undefined ? { loopIndex } : {}),
  };
}

/** Containers record a summary, not their inner graph. */
function defaultRecordInputs(node: GraphNode, pool: ReturnType<typeof poolOf>): unknown {
  if (node.data === null || typeof node.data !== 'object') return node.data ?? null;
  const { graph: _inner, ...rest } = node.data as Record<string, unknown>;
  return resolveValue(rest, pool);
}

const blobLoader = proxyActivities<Pick<NodeActivities, 'loadBlobs'>>({
  startToCloseTimeout: '1m',
  retry: { maximumAttempts: 5, nonRetryableErrorTypes: [...NON_RETRYABLE_CODES] },
});

/** Blob references inside a value, one per id (the loader checks each one's signature). */
export function collectRefs(value: unknown, into: Map<string, BlobRef> = new Map()): Map<string, BlobRef> {
  if (isBlobRef(value)) into.set(value.$weftBlob, value);
  else if (Array.isArray(value)) value.forEach((v) => collectRefs(v, into));
  else if (value !== null && typeof value === 'object') Object.values(value).forEach((v) => collectRefs(v, into));
  return into;
}

/** Puts loaded values in place of their references; anything the loader did not vouch for is user data and stays. */
export function replaceRefs(value: unknown, values: Record<string, unknown>): unknown {
  if (isBlobRef(value)) return Object.prototype.hasOwnProperty.call(values, value.$weftBlob) ? values[value.$weftBlob] : value;
  if (Array.isArray(value)) return value.map((v) => replaceRefs(v, values));
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, replaceRefs(v, values)]));
  return value;
}

/**
 * Loads the values behind blob references, inside an activity that verifies each reference's
 * signature: a lookalike in user data is not vouched for and stays what it is.
 */
export async function loadBlobValues(refs: Map<string, BlobRef>, runtime: Runtime): Promise<Record<string, unknown>> {
  return blobLoader.loadBlobs({ tenantId: runtime.run.tenantId, runId: runtime.run.runId, ids: [...refs.keys()], refs: [...refs.values()], maxBytes: runtime.limits.maxPayloadBytes });
}

/**
 * A pure node that reads an output kept outside history (a large one) needs the value itself:
 * load the referenced blobs of the nodes it mentions. Rare by design, so the extra activity is
 * only paid where a large value meets a pure node.
 */
async function withBlobValues(node: GraphNode, pool: VariablePool, runtime: Runtime): Promise<VariablePool> {
  const def = nodeType(node.type);
  if (def?.passThrough || def?.effect) return pool;
  const text = JSON.stringify(node.data ?? {});
  const refs = new Map<string, BlobRef>();
  for (const [id, outputs] of Object.entries(pool)) if (text.includes(id)) collectRefs(outputs, refs);
  if (!refs.size) return pool;
  return replaceRefs(pool, await loadBlobValues(refs, runtime)) as VariablePool;
}

/** Failures of the machinery itself that must reach Temporal as they are, never become node failures. */
function mustPropagate(err: unknown): boolean {
  return isCancellation(err) || err instanceof RunAborted || err instanceof WorkflowError;
}

/** What a node's outputs may be to enter workflow state: bounded in size and nesting. */
function outputProblem(result: NodeResult, runtime: Runtime): NodeResult | undefined {
  if (result.status !== 'succeeded') return undefined;
  const { maxValueBytes, maxValueDepth } = runtime.limits;
  for (const value of [result.outputs, result.endOutputs]) {
    if (value === undefined) continue;
    const { problem } = measureValue(value, { maxDepth: maxValueDepth, maxBytes: maxValueBytes });
    if (problem?.code === 'value_too_deep') return failed('node_output_too_deep', `The node's outputs are nested more than ${maxValueDepth} levels deep (WEFT_MAX_VALUE_DEPTH)`);
    if (problem) return failed('node_output_too_large', `The node's outputs are larger than ${maxValueBytes} bytes of JSON (WEFT_MAX_VALUE_BYTES)`);
  }
  return undefined;
}

/** A loader or renderer activity the node needed failed with a coded failure: the node fails with it. */
function activityFailure(err: unknown): NodeResult | undefined {
  if (!(err instanceof ActivityFailure) || !(err.cause instanceof ApplicationFailure) || !err.cause.type) return undefined;
  return failedWith(err.cause);
}

/**
 * The child frame of a container's inner graph run: built here only. The inner scope sees the
 * outer scopes, its own locals under the container's id, and the nearest loop's variables.
 */
function childFrame(node: GraphNode, frame: Frame, request: ChildScopeRequest): Frame {
  const loopVariables = request.loopVariables ?? frame.loopVariables;
  return {
    body: request.graph,
    state: request.state,
    parent: frame,
    locals: { [node.id]: request.locals },
    startOutputs: {},
    path: [...frame.path, { kind: request.pass.kind, nodeId: node.id, index: request.pass.index }],
    ...(loopVariables ? { loopVariables } : {}),
  };
}

/** The narrow view of the engine a handler gets (see NodeContext). */
function contextFor<Data>(node: GraphNode, data: Data, pool: VariablePool, frame: Frame, runtime: Runtime, runScope: ScopeRunner, location: NodeLocation, resume: unknown): NodeContext<Data> {
  return {
    node,
    data,
    pool,
    location,
    ...(resume !== undefined ? { resume } : {}),
    run: { runId: runtime.run.runId, tenantId: runtime.run.tenantId, workflowId: runtime.run.workflowId },
    limits: runtime.limits,
    startOutputs: frame.startOutputs,
    ...(frame.loopVariables ? { loopVariables: frame.loopVariables } : {}),
    get draining() {
      return runtime.draining;
    },
    spend: (units) => runtime.spend(units),
    // No async layer of its own: a container awaits the scheduler itself, as it always did, so
    // concurrent scopes issue their commands in the order the committed histories recorded.
    runChild: (request) => {
      const child = childFrame(node, frame, request);
      return { outcome: runScope(child, runtime), pool: () => poolOf(child) };
    },
    loadBlobs: (value) => loadBlobValues(collectRefs(value), runtime).then((values) => replaceRefs(value, values) as typeof value),
    takeRecordsForActivity: () => runtime.takeRecordsForActivity(),
    childRuns: {
      graphs: runtime.subgraphs,
      versions: runtime.subgraphVersions,
      get executionsLeft() {
        return runtime.executionsLeft;
      },
      charge: (executions) => runtime.chargeExecutions(executions),
    },
    approvals: runtime.control,
    progress: (done, total) => runtime.control.progress(location.key, done, total),
  };
}

/**
 * Runs one node through its handler and records the execution. Its awaits are exactly the
 * handler's (no extra async layer): the order in which concurrent nodes issue commands must stay
 * what the committed histories recorded.
 */
export async function executeNode(node: GraphNode, frame: Frame, runtime: Runtime, runScope: ScopeRunner): Promise<NodeResult> {
  const resume = own(frame.state.suspended, node.id);
  // A node resumed after continue-as-new was counted when it first started.
  if (resume === undefined) runtime.countExecution();
  runtime.spend(NODE_STEP_COST);
  const location = locationOf(node.id, frame);
  const startedAt = new Date().toISOString();
  let pool: VariablePool = {};
  let result: NodeResult;
  try {
    pool = await withBlobValues(node, poolOf(frame), runtime);
    const def = nodeType(node.type);
    const handler = own(NODE_HANDLERS as Readonly<Record<string, NodeHandler>>, node.type);
    // Data written for an older version of the type goes through its migrations first.
    const versioned = def ? upgradeNodeData(def, nodeVersionOf(node), node.data) : undefined;
    const data = versioned?.ok ? def?.dataSchema.safeParse(versioned.data) : undefined;
    if (!def || !handler) {
      result = failed('node_type_not_supported', `Node type '${node.type}' cannot run in this version of Weft`);
    } else if (versioned && !versioned.ok) {
      result = failed(versioned.code, versioned.message);
    } else if (!data?.success) {
      // A published version is frozen; a node whose data a newer schema refuses fails plainly here.
      result = failed('node_data_invalid', `The data of node '${node.id}' is not valid for '${node.type}' in this version of Weft`);
    } else {
      // The budget is checked right before the work: nodes started together (a fan-out, iteration
      // lanes) each get here in turn, and see what the ones before them spent.
      // Every waiter checks again once it wakes: the new task's budget is shared by all of them.
      for (let pause = runtime.checkpoint(); pause; pause = runtime.checkpoint()) await pause;
      runtime.control.nodeStarted(location, node.type, startedAt);
      try {
        result = await handler(contextFor(node, data.data, pool, frame, runtime, runScope, location, resume));
      } finally {
        runtime.control.nodeEnded(location.key);
      }
      result = outputProblem(result, runtime) ?? result;
    }
  } catch (err) {
    if (mustPropagate(err)) throw err;
    result = activityFailure(err) ?? { status: 'failed', error: internalError(err, { runId: runtime.run.runId, nodeKey: location.key }, `node '${node.id}'`) };
  }
  if (result.status === 'suspended') return result;

  const recorded: NodeRecord = {
    ...location,
    seq: runtime.nextSeq(),
    type: node.type,
    status: result.status === 'succeeded' ? 'succeeded' : node.onError === 'default' ? 'defaulted' : 'failed',
    inputs: result.recordInputs ?? safeRecordInputs(node, pool),
    startedAt,
    finishedAt: new Date().toISOString(),
  };
  if (result.status === 'succeeded') recorded.outputs = result.endOutputs ?? result.outputs;
  else recorded.error = result.error;
  if (result.status === 'failed' && node.onError === 'default') recorded.outputs = node.default ?? {};
  const handles = takenHandles(node, result);
  if (handles) recorded.handles = handles;
  runtime.record(recorded);
  return result;
}

/**
 * The handles whose edges the scheduler takes for this result (scheduler.ts decides the same
 * way), kept in the record so that a rerun can seed the edges of a node it reuses.
 */
function takenHandles(node: GraphNode, result: NodeResult): string[] | undefined {
  if (result.status === 'succeeded') return result.handles ?? [DEFAULT_HANDLE];
  if (result.status !== 'failed') return undefined;
  if (node.onError === 'default') return [DEFAULT_HANDLE];
  return node.onError === 'branch' ? [ERROR_HANDLE] : undefined;
}

/** The record shows the node's resolved data; if even that fails, the record says so instead of failing the run. */
function safeRecordInputs(node: GraphNode, pool: VariablePool): unknown {
  try {
    return defaultRecordInputs(node, pool);
  } catch {
    return { note: 'the inputs of this node could not be recorded' };
  }
}

/** A skipped node is listed too, so the node list shows every node the run decided about. */
export function recordSkipped(node: GraphNode, frame: Frame, runtime: Runtime): void {
  const now = new Date().toISOString();
  runtime.record({ ...locationOf(node.id, frame), seq: runtime.nextSeq(), type: node.type, status: 'skipped', startedAt: now, finishedAt: now });
}
