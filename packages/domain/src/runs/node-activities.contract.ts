import type { ActivityNodeType, NodeActivityNameOf } from '../nodes/registry';
import type { TemplateLimits } from '../templates/template-engine';
import type { RunError } from './run-status';

/** Where a node execution sits: the node id plus the iteration/loop indices that enclose it. */
export interface NodeLocation {
  nodeId: string;
  /** unique within the run, e.g. "answer" or "answer[each=2]" or "step[loop=0][each=1]" */
  key: string;
  iterationIndex?: number;
  loopIndex?: number;
}

/**
 * One node execution as the workflow records it (PostgreSQL `node_executions`). `reused`: a rerun
 * took the execution over from the run it was started from (written by the API, never run).
 */
export interface NodeRecord extends NodeLocation {
  seq: number;
  type: string;
  status: 'succeeded' | 'failed' | 'skipped' | 'defaulted' | 'reused';
  inputs?: unknown;
  outputs?: Record<string, unknown>;
  error?: RunError;
  /**
   * The handles whose outgoing edges the execution took (a rerun seeds its edges from them): the
   * node's own for a success, the default one for `onError: "default"`, `error` for `"branch"`;
   * absent for a failure that ended the scope, a skipped node, and records from before they were kept.
   */
  handles?: string[];
  startedAt: string;
  finishedAt: string;
}

/** What every effectful node activity receives besides its resolved config. */
export interface NodeActivityInput<Config = unknown> {
  runId: string;
  tenantId: string;
  workflowId: string;
  node: NodeLocation & { type: string };
  /** The node's config with references resolved; `{{ secrets.X }}` is still unresolved text. */
  config: Config;
  /** An id that stays the same across retries of this node execution (Idempotency-Key). */
  idempotencyKey: string;
  /** Node records of pure nodes that finished since the last write, persisted by this activity. */
  records?: NodeRecord[];
  /** strings of `config` to render inside the activity, against `variables` (see DeferredString) */
  deferred?: DeferredString[];
  variables?: Record<string, Record<string, unknown> | undefined>;
}

export interface NodeActivityOutput {
  outputs: Record<string, unknown>;
}

/**
 * A reference to a value kept outside workflow history (PostgreSQL `run_blobs`). Only the activity
 * that stores the value writes one, with `mac` (an HMAC of tenant, id and size under a key derived
 * from WEFT_ENCRYPTION_KEY), so user data of the same shape is never taken for one: a reference is
 * resolved only when its mac verifies (references written before macs existed: only within the run
 * that wrote them). Anything else shaped like it is user data and stays as it is.
 */
export interface BlobRef {
  $weftBlob: string;
  size: number;
  mac?: string;
}

export function isBlobRef(value: unknown): value is BlobRef {
  return typeof value === 'object' && value !== null && typeof (value as BlobRef).$weftBlob === 'string';
}

/** Whether a value holds a reference to a value kept outside history, anywhere inside it. */
export function containsBlobRef(value: unknown): boolean {
  if (isBlobRef(value)) return true;
  if (Array.isArray(value)) return value.some(containsBlobRef);
  if (value !== null && typeof value === 'object') return Object.values(value).some(containsBlobRef);
  return false;
}

/**
 * One activity per node type whose effect is an activity, named by that effect (`nodeLlm`). Each
 * fails with an ApplicationFailure whose `type` is a stable error code; non-retryable ones end the
 * node at once.
 */
export type NodeTypeActivities = { [K in ActivityNodeType as NodeActivityNameOf<K>]: (input: NodeActivityInput) => Promise<NodeActivityOutput> };

export interface NodeActivities extends NodeTypeActivities {
  /**
   * Loads blob values referenced by a pure node's inputs (only when such a reference exists), by
   * id, for the references that verify: `refs` as found in the pool (their macs are checked);
   * bare `ids` count as references without a mac (resolved only within this run). An id missing
   * from the answer was not a reference the platform wrote: keep the value as it is. Values larger
   * in all than `maxBytes` (they would enter workflow history) fail with `node_input_too_large`.
   */
  loadBlobs(input: { tenantId: string; runId: string; ids: string[]; refs?: BlobRef[]; maxBytes?: number }): Promise<Record<string, unknown>>;
  /**
   * Renders a template that reads values kept outside history, so those values never enter it;
   * a large result is itself kept outside history.
   */
  renderTemplate(input: { tenantId: string; runId: string; template: string; variables: Record<string, unknown>; limits?: TemplateLimits }): Promise<{ text: unknown }>;
}

export type { RunError };

/**
 * A string of a node's data that embeds a reference to a value kept outside history: the workflow
 * leaves it unrendered at `path` of the config, and the activity renders `template` against the
 * inflated `variables` it was handed. Only the workflow makes these (never user data).
 */
export interface DeferredString {
  path: (string | number)[];
  template: string;
}
