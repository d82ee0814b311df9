import { proxyActivities } from '@temporalio/workflow';
import {
  isBlobRef,
  nodeType,
  resolveValue,
  type GraphNode,
  type NodeActivities,
  type NodeLocation,
  type NodeRecord,
  type VariablePool,
} from '@weft/domain';
import { NODE_HANDLERS } from '../nodes/handler-registry';
import type { NodeResult } from '../nodes/node-handler';
import type { Runtime } from './runtime';
import { nodeKey, poolOf, type Frame } from './state';

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

const blobLoader = proxyActivities<Pick<NodeActivities, 'loadBlobs'>>({ startToCloseTimeout: '1m', retry: { maximumAttempts: 5 } });

/** Types that only pass values along (or render them in an activity), so blob references stay references. */
const PASS_THROUGH = new Set(['end', 'variable-aggregator', 'start', 'template']);

function collectRefs(value: unknown, into: Set<string>): void {
  if (isBlobRef(value)) into.add(value.$weftBlob);
  else if (Array.isArray(value)) value.forEach((v) => collectRefs(v, into));
  else if (value !== null && typeof value === 'object') Object.values(value).forEach((v) => collectRefs(v, into));
}

function replaceRefs(value: unknown, values: Record<string, unknown>): unknown {
  if (isBlobRef(value)) return values[value.$weftBlob] ?? null;
  if (Array.isArray(value)) return value.map((v) => replaceRefs(v, values));
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, replaceRefs(v, values)]));
  return value;
}

/**
 * A pure node that reads an output kept outside history (a large one) needs the value itself:
 * load the referenced blobs of the nodes it mentions. Rare by design, so the extra activity is
 * only paid where a large value meets a pure node.
 */
async function withBlobValues(node: GraphNode, pool: VariablePool, runtime: Runtime): Promise<VariablePool> {
  if (PASS_THROUGH.has(node.type) || nodeType(node.type)?.effectful) return pool;
  const text = JSON.stringify(node.data ?? {});
  const ids = new Set<string>();
  for (const [id, outputs] of Object.entries(pool)) if (text.includes(id)) collectRefs(outputs, ids);
  if (!ids.size) return pool;
  const values = await blobLoader.loadBlobs({ tenantId: runtime.run.tenantId, runId: runtime.run.runId, ids: [...ids] });
  return replaceRefs(pool, values) as VariablePool;
}

/** Runs one node through its handler and records the execution. */
export async function executeNode(node: GraphNode, frame: Frame, runtime: Runtime): Promise<NodeResult> {
  const def = nodeType(node.type);
  const handler = NODE_HANDLERS[node.type];
  const location = locationOf(node.id, frame);
  const startedAt = new Date().toISOString();
  const pool = await withBlobValues(node, poolOf(frame), runtime);
  const result: NodeResult =
    !def || !handler
      ? { status: 'failed', error: { code: 'node_type_not_supported', message: `Node type '${node.type}' cannot run in this version of Weft` } }
      : await handler({ node, data: def.dataSchema.parse(node.data), pool, frame, runtime, location, resume: frame.state.suspended[node.id] });
  if (result.status === 'suspended') return result;

  const recorded: NodeRecord = {
    ...location,
    seq: runtime.nextSeq(),
    type: node.type,
    status: result.status === 'succeeded' ? 'succeeded' : node.onError === 'default' ? 'defaulted' : 'failed',
    inputs: result.recordInputs ?? defaultRecordInputs(node, pool),
    startedAt,
    finishedAt: new Date().toISOString(),
  };
  if (result.status === 'succeeded') recorded.outputs = result.endOutputs ?? result.outputs;
  else recorded.error = result.error;
  if (result.status === 'failed' && node.onError === 'default') recorded.outputs = node.default ?? {};
  runtime.record(recorded);
  return result;
}

/** A skipped node is listed too, so the node list shows every node the run decided about. */
export function recordSkipped(node: GraphNode, frame: Frame, runtime: Runtime): void {
  const now = new Date().toISOString();
  runtime.record({ ...locationOf(node.id, frame), seq: runtime.nextSeq(), type: node.type, status: 'skipped', startedAt: now, finishedAt: now });
}
