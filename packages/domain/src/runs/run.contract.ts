import type { Graph } from '../dsl/graph.schema';
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
  /** Set on a child run started by a sub-workflow node: it keeps no run record of its own. */
  parent?: { runId: string; nodeKey: string };
  /** The interpreter's state carried across continue-as-new (opaque outside packages/workflows). */
  continuation?: unknown;
}

export function subgraphKey(workflowId: string, version?: number): string {
  return `${workflowId}@${version ?? 'latest'}`;
}

export interface RunWorkflowResult {
  status: RunStatus;
  outputs: Record<string, unknown>;
  error?: RunError;
}

/** The activity port the run workflow uses to keep its PostgreSQL record and event stream. */
export interface RunRecordActivities {
  recordRunStarted(input: { runId: string; tenantId: string; temporalRunId: string; startedAt: string }): Promise<void>;
  recordRunFinished(input: {
    runId: string;
    tenantId: string;
    status: RunStatus;
    outputs: Record<string, unknown>;
    error?: RunError;
    finishedAt: string;
    records?: NodeRecord[];
  }): Promise<void>;
}

export const RUN_WORKFLOW_TYPE = 'runWorkflow';
/** Custom search attributes registered on the Temporal namespace (infra/temporal). */
export const SEARCH_ATTRIBUTES = { tenantId: 'WeftTenantId', workflowId: 'WeftWorkflowId' } as const;

export function temporalWorkflowIdFor(runId: string): string {
  return `weft-${runId}`;
}

/** Query answered by a running run: its node records not yet written to PostgreSQL. */
export const PENDING_NODES_QUERY = 'weft.pendingNodes';
