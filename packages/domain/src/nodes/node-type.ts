import type { z } from 'zod';
import type { DurationBound } from '../dsl/duration';
import type { Graph, GraphNode } from '../dsl/graph.schema';

/**
 * How a node's work leaves the workflow, which decides what `retry`, `timeout` and `onError` mean
 * for it (its retry kind):
 * - `activity`: one Temporal activity per execution (named `activity`, registered by the worker
 *   from the activities package's executor of this type), retried by the node's policy, with
 *   these defaults when the node sets none;
 * - `child-workflow`: a Temporal child workflow, retried by the node's policy.
 * A type with no effect runs inside the workflow: retry and timeout do not apply.
 */
export type NodeEffect =
  | { kind: 'activity'; activity: `node${string}`; timeout: string; maxAttempts: number }
  | { kind: 'child-workflow' };

/** What the engine needs to know of a type that holds an inner graph (`data.graph`) run in its own scope. */
export interface ContainerFacts {
  /** fields of `data` read in the inner graph's scope (they may name inner nodes) */
  innerScopeFields: readonly string[];
  /** names the container adds to its inner scope under its own id (`{{ it.item }}`, `{{ lp.index }}`) */
  locals(data: unknown): readonly string[];
  /** its inner graph reads `{{ loop.<variable> }}` and `assign` writes its variables */
  loopVariables?: boolean;
}

/**
 * What the domain knows of one node type: the schema of its `data`, the outputs it produces, the
 * handles its outgoing edges may leave by, and the facts the engine needs. Its handler lives in
 * packages/workflows/src/nodes/<type>/, its executor (if its effect is an activity) in
 * packages/activities; both registries are typed by the keys of NODE_TYPES.
 */
export interface NodeTypeDefinition<Type extends string = string, Data = unknown> {
  type: Type;
  /**
   * The version of the type's meaning (its data schema and what it does). Published graphs record
   * the version each node was validated with; when a type changes incompatibly, the version goes
   * up and `migrations` says how the data of the version before becomes this one's.
   */
  version: number;
  /** from version n (key) to n + 1: rewrites data written for n; checked again by `dataSchema` */
  migrations?: Readonly<Record<number, (data: unknown) => unknown>>;
  dataSchema: z.ZodType<Data>;
  /** Output names the node produces; `'any'` when they are not known before it runs. */
  outputs(node: GraphNode, graph: Graph): readonly string[] | 'any';
  /** Handles besides `error` (which any node with `onError: "branch"` has). */
  handles(data: Data): readonly string[];
  /** Work outside the workflow: retry/timeout/onError apply. Absent: the node runs in workflow code. */
  effect?: NodeEffect;
  /** Fields of `data` holding Liquid templates: their references are the variables Liquid's analysis finds, not `{{ }}` text. */
  liquidFields?: readonly string[];
  /** Fields of `data` that must be exactly one reference (`{{ start.items }}`), not text. */
  referenceFields?: readonly string[];
  /** Holds an inner graph (`data.graph`) run in its own scope; onError applies, retry/timeout do not. */
  container?: ContainerFacts;
  /**
   * Only passes values along (or renders them in an activity): a value kept outside history stays
   * a reference through it instead of being loaded into the workflow.
   */
  passThrough?: boolean;
  /**
   * Fields of `data` holding objects whose keys are names the user chose and the run uses as keys
   * of workflow state (outputs, variables, inputs): none may be a name every object already has.
   */
  namedFields?: readonly string[];
  /** Bounds of the node's `timeout` when not DURATION_BOUNDS.nodeTimeout (a child run may last longer than an activity). */
  timeoutBound?: DurationBound;
  /**
   * Checks of the parsed data beyond its schema, for what needs the validation's context (the
   * caller's clock: the domain reads none). Paths are relative to the node's `data`.
   */
  check?(data: Data, context: NodeCheckContext): readonly NodeDataIssue[];
  /** `false`: validated and stored, but this version of Weft does not run it (`node_type_not_supported`). */
  runnable?: false;
}

/** What a type's `check` may use besides the data. */
export interface NodeCheckContext {
  /** now, in ms since the epoch, when the caller said (validation at save time) */
  now?: number;
}

export interface NodeDataIssue {
  code: string;
  message: string;
  path: (string | number)[];
}

/** Keeps the literal facts of a definition (its type, effect, runnable) for the typed registries. */
export function defineNodeType<const Def extends NodeTypeDefinition<string, any>>(def: Def): Def {
  return def;
}

export type VersionedData = { ok: true; data: unknown } | { ok: false; code: 'node_version_unknown'; message: string };

/**
 * The data of a node written for `version` of its type, as the current version reads it: older
 * versions go through the type's migrations in order; a version this build does not know (newer,
 * or one without a migration) is refused rather than guessed at.
 */
export function upgradeNodeData(def: Pick<NodeTypeDefinition, 'type' | 'version' | 'migrations'>, version: number, data: unknown): VersionedData {
  const unknown = (): VersionedData => ({ ok: false, code: 'node_version_unknown', message: `Version ${version} of node type '${def.type}' is not known to this version of Weft (it knows ${def.version})` });
  if (!Number.isInteger(version) || version < 1 || version > def.version) return unknown();
  let current = data;
  for (let v = version; v < def.version; v++) {
    const migrate = def.migrations && Object.prototype.hasOwnProperty.call(def.migrations, v) ? def.migrations[v] : undefined;
    if (!migrate) return unknown();
    current = migrate(current);
  }
  return { ok: true, data: current };
}
