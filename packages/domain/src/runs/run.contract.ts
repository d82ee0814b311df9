import type { Graph } from '../dsl/graph.schema';
import type { RunLimits } from '../limits/run-limits';
import type { NodeRecord } from './node-activities.contract';
import type { RunError, RunStatus } from './run-status';

/** What the run workflow receives. The graph travels in the input: never read from a database. */
export interface RunWorkflowInput {
  runId: string;
  tenantId: string;
  workflowId: string;
  version: number | null;
  graph: Graph;
  inputs: Record<string, unknown>;
  /** ISO time the API accepted the run */
  requestedAt: string;
  /**
   * Graphs of the workflows its sub-workflow nodes run, keyed by subgraphKey(), resolved by the API
   * when the run starts so a later publish never changes a running run.
   */
  subgraphs?: Record<string, Graph>;
  /** The published version each entry of `subgraphs` resolved to (for child run records). */
  subgraphVersions?: Record<string, number>;
  /**
   * Set on a child run started by a sub-workflow node. With `recorded` the child is a run like any
   * other (its own record, node records, usage) linked to its parent; children started before that
   * existed keep no record of their own.
   */
  parent?: ParentLink;
  /** The deterministic limits the run goes by (deployment settings when it started); defaults when absent. */
  limits?: Partial<RunLimits>;
  /** The interpreter's state carried across continue-as-new (opaque outside packages/workflows). */
  continuation?: unknown;
  /** Set on a rerun: the nodes of the top-level graph whose recorded outcome it takes over instead of running them. */
  rerun?: RerunSeed;
  /**
   * Set by starters that know runs may write their start with their end (a run whose graph never
   * waits, RunRecords.deferStart). Runs started without it, histories from before included, write
   * their start first as they always did: deciding by the input keeps replay deterministic without
   * a patch marker (a patch also costs a search-attribute upsert in every run).
   */
  startWithEnd?: true;
}

/**
 * What a rerun starts from: the outcome of every node of the top-level graph that precedes
 * `fromNodeId`, as its origin run recorded it (rerun-plan.ts). The run begins with these nodes
 * finished, their outputs in the pool and their outgoing edges resolved, and runs the rest.
 */
export interface RerunSeed {
  originRunId: string;
  /** the top-level node the rerun starts from */
  fromNodeId: string;
  reused: ReusedNode[];
}

export interface ReusedNode {
  nodeId: string;
  /** `ran`: its outputs are in the pool and `handles` says which edges it took; `skipped`: none was */
  outcome: 'ran' | 'skipped';
  outputs?: Record<string, unknown>;
  handles?: string[];
  /** it ended through onError "default": the rerun is partially-succeeded, as its origin was */
  defaulted?: boolean;
}

export function subgraphKey(workflowId: string, version?: number): string {
  return `${workflowId}@${version ?? 'latest'}`;
}

export interface ParentLink {
  runId: string;
  nodeKey: string;
  nodeId?: string;
  iterationIndex?: number;
  loopIndex?: number;
  recorded?: boolean;
}

export interface RunWorkflowResult {
  status: RunStatus;
  outputs: Record<string, unknown>;
  error?: RunError;
  /** node executions the run made, its own children's included */
  executions?: number;
}

/** What a child run's record needs beyond what every run records when it starts. */
export interface ChildRunRecord {
  workflowId: string;
  version: number | null;
  inputs: Record<string, unknown>;
  temporalWorkflowId: string;
  parent: ParentLink;
}

/** The activity port the run workflow uses to keep its PostgreSQL record and event stream. */
export interface RunRecordActivities {
  /** Marks the run running; a child run's record is created here, from `child`. */
  recordRunStarted(input: RunStartRecord): Promise<void>;
  /** Writes node records of pure nodes when many have gathered between activities. */
  recordNodes(input: { runId: string; tenantId: string; records: NodeRecord[] }): Promise<void>;
  recordRunFinished(input: {
    runId: string;
    tenantId: string;
    status: RunStatus;
    outputs: Record<string, unknown>;
    error?: RunError;
    finishedAt: string;
    records?: NodeRecord[];
    /** the run's start, written with its end: a run that ended without waiting once never wrote it alone */
    started?: Omit<RunStartRecord, 'runId' | 'tenantId'>;
    /** false: the run's graph holds no approval node, so it has none left open to close */
    closeApprovals?: false;
  }): Promise<void>;
}

/** A run's start as the workflow records it. */
export interface RunStartRecord {
  runId: string;
  tenantId: string;
  temporalRunId: string;
  startedAt: string;
  child?: ChildRunRecord;
}

/**
 * What the interpreter itself needs from the worker. `pauseTask` does nothing: calling it as a
 * local activity ends the current activation (the worker gets its event loop back) at the cost of
 * one marker event, which is how a run spreads heavy work over many short activations.
 */
export interface InterpreterActivities {
  pauseTask(): Promise<void>;
}

export const RUN_WORKFLOW_TYPE = 'runWorkflow';
/** Custom search attributes registered on the Temporal namespace (infra/temporal). */
export const SEARCH_ATTRIBUTES = { tenantId: 'WeftTenantId', workflowId: 'WeftWorkflowId', runStatus: 'WeftRunStatus' } as const;

export function temporalWorkflowIdFor(runId: string): string {
  return `weft-${runId}`;
}

/** Query answered by a running run: its node records not yet written to PostgreSQL. */
export const PENDING_NODES_QUERY = 'weft.pendingNodes';
