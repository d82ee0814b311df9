import type { DecisionOutcome, OpenedApproval } from '@weft/domain';
import { isErrorCode, sanitizeErrorMessage, type ErrorCode, type Graph, type GraphNode, type NodeLocation, type NodeRecord, type RunError, type RunLimits, type VariablePool } from '@weft/domain';
import type { GraphBody, ScopeOutcome, ScopeState } from '../interpreter/state';

/** Which run a node belongs to. */
export interface RunIdentity {
  runId: string;
  tenantId: string;
  workflowId: string;
}

/**
 * A container's request for one run of its inner graph (an iteration item, a loop pass). The
 * engine builds the child frame: the inner scope sees the outer scopes, plus `locals` under the
 * container's id.
 */
export interface ChildScopeRequest {
  graph: GraphBody;
  /** the inner scope's state: new, or the one kept from before a continue-as-new (the handler keeps it in its progress) */
  state: ScopeState;
  /** names under the container's id in the inner scope (`item`, `index`, loop variables) */
  locals: Record<string, unknown>;
  /** where the inner run sits: an iteration item or a loop pass, by index */
  pass: { kind: 'each' | 'loop'; index: number };
  /** the variables `assign` writes inside (a loop's); the enclosing loop's when omitted */
  loopVariables?: Record<string, unknown>;
}

/** One run of an inner graph under way. */
export interface ChildScope {
  outcome: Promise<ScopeOutcome>;
  /** the variables visible in the inner scope (for a container's `output` or `breakWhen` once it ran) */
  pool(): VariablePool;
}

/** What a sub-workflow node needs: graphs resolved when the run started, and the run's budget. */
export interface ChildRunServices {
  graphs: Record<string, Graph>;
  versions: Record<string, number>;
  /** node executions the run may still make (a child run gets at most this many) */
  readonly executionsLeft: number;
  /** node executions a child run made, charged to this run */
  charge(executions: number): void;
}

/** What an approval node asks of the engine: the run's register of open approvals. */
export interface ApprovalPort {
  /** the approval is open: the decide Update can reach it, the run is waiting; settles once the status is written */
  register(approval: OpenedApproval): Promise<void>;
  /** until decided, expired, or the run drains for continue-as-new (`draining` tells) */
  awaitDecision(approvalId: string, draining: () => boolean): Promise<DecisionOutcome>;
  /** closed without a decision */
  closed(approvalId: string, state: 'expired' | 'cancelled'): Promise<void>;
}

/**
 * What a handler sees: the node, its data and the variables it may read, and the few services of
 * the engine it may use. Never the scheduler, the frame or the runtime: a container asks for its
 * inner graph to run through `runChild`. A handler is a plain function of its context.
 */
export interface NodeContext<Data = unknown> {
  node: GraphNode;
  /** the node's data as its type's schema parsed it (defaults filled), references unresolved */
  data: Data;
  /** the variables visible to the node */
  pool: VariablePool;
  location: NodeLocation;
  /** the node's own progress when it was suspended for continue-as-new */
  resume?: unknown;
  run: RunIdentity;
  limits: RunLimits;
  /** the start node's outputs in this scope: the run inputs at the top, nothing inside containers */
  startOutputs: Record<string, unknown>;
  /** the nearest enclosing loop's variables, which `assign` writes */
  loopVariables?: Record<string, unknown>;
  /** true once the run drains for continue-as-new: start nothing new and suspend */
  readonly draining: boolean;
  /** counts work done in workflow code against the activation's budget */
  spend(units: number): void;
  /** runs a container's inner graph once, in a child scope the engine builds */
  runChild(request: ChildScopeRequest): ChildScope;
  /** the value with every verified reference to a value kept outside history replaced by the value */
  loadBlobs<T>(value: T): Promise<T>;
  /** node records that ride along with the activity the node starts (written by it) */
  takeRecordsForActivity(): NodeRecord[];
  childRuns: ChildRunServices;
  /** the run's open approvals (the approval node) */
  approvals: ApprovalPort;
  /** a container's progress for the live view: items or passes done, of how many */
  progress(done: number, total?: number): void;
}

/** A handler's result. Expected failures are data; unknown exceptions propagate. */
export type NodeResult =
  | {
      status: 'succeeded';
      outputs: Record<string, unknown>;
      /** the handles whose edges are taken; the default handle when omitted */
      handles?: string[];
      /** an end node's outputs, merged into its scope's (the run's) outputs */
      endOutputs?: Record<string, unknown>;
      /** what the node record shows as the node's inputs, when not its resolved data */
      recordInputs?: unknown;
    }
  | { status: 'failed'; error: RunError; recordInputs?: unknown }
  /** stopped for continue-as-new; `state` lets it go on in the next run of the workflow */
  | { status: 'suspended'; state: unknown };

export type NodeHandler<Data = any> = (ctx: NodeContext<Data>) => Promise<NodeResult>;

export function succeeded(outputs: Record<string, unknown>, extra: Partial<Extract<NodeResult, { status: 'succeeded' }>> = {}): NodeResult {
  return { status: 'succeeded', outputs, ...extra };
}

/** A node failure with a code of the error catalogue (a literal that is not one does not compile). */
export function failed(code: ErrorCode, message: string): NodeResult {
  return { status: 'failed', error: { code, message } };
}

/**
 * The node failure an activity's ApplicationFailure stands for. Our activities only throw coded
 * failures; a type that is not in the catalogue (an error that escaped them, which the SDK names
 * after its class) is not trusted to be plain words.
 */
export function failedWith(failure: { type?: string | null; message: string }): NodeResult {
  if (isErrorCode(failure.type)) return failed(failure.type, failure.message);
  return failed('node_failed', sanitizeErrorMessage(failure.message, 'The node failed'));
}
