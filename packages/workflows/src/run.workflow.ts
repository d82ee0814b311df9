import {
  CancellationScope,
  continueAsNew,
  defineQuery,
  isCancellation,
  proxyLocalActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import { PENDING_NODES_QUERY, type NodeRecord, type RunRecordActivities, type RunWorkflowInput, type RunWorkflowResult } from '@weft/domain';
import { Runtime } from './interpreter/runtime';
import { runScope } from './interpreter/scheduler';
import { newScopeState, type Frame, type ScopeState } from './interpreter/state';

/** Node records not yet written to PostgreSQL; the API merges them into a live run's node list. */
export const pendingNodesQuery = defineQuery<readonly NodeRecord[]>(PENDING_NODES_QUERY);

/** What a run carries into its next execution when it continues-as-new. */
interface Continuation {
  scope: ScopeState;
  seq: number;
  records: NodeRecord[];
  startedAt: string;
}

// Run records must land even through a long database outage, so these retry without a limit.
// Local activities: short idempotent writes that run inside the workflow task, costing one marker
// event and no extra round trip through the server (see the interpreter benchmark).
const records = proxyLocalActivities<RunRecordActivities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m' },
});

/** The one workflow: interprets the graph it was started with (a pinned published version). */
export async function runWorkflow(input: RunWorkflowInput): Promise<RunWorkflowResult> {
  const { runId, tenantId, workflowId } = input;
  const continuation = input.continuation as Continuation | undefined;
  const startedAt = continuation?.startedAt ?? new Date().toISOString();
  const keepsRecord = !input.parent;
  if (keepsRecord && !continuation) {
    await records.recordRunStarted({ runId, tenantId, temporalRunId: workflowInfo().runId, startedAt });
  }

  const runtime = new Runtime({ runId, tenantId, workflowId, inputs: input.inputs }, input.subgraphs ?? {}, continuation?.seq ?? 0, continuation?.records);
  setHandler(pendingNodesQuery, () => runtime.peekRecords());
  const frame: Frame = {
    body: input.graph,
    state: continuation?.scope ?? newScopeState(input.graph),
    locals: { sys: { runId, workflowId, startedAt } },
    startOutputs: input.inputs,
    path: [],
  };

  let outcome;
  try {
    outcome = await runScope(frame, runtime);
  } catch (err) {
    if (isCancellation(err) && keepsRecord) {
      await CancellationScope.nonCancellable(() =>
        records.recordRunFinished({
          runId,
          tenantId,
          status: 'cancelled',
          outputs: {},
          error: { code: 'run_cancelled', message: 'The run was cancelled' },
          finishedAt: new Date().toISOString(),
          records: runtime.takeRecords(),
        }),
      );
    }
    throw err;
  }

  if (outcome.status === 'suspended') {
    // History is long: go on in a fresh execution with the same workflow id and all progress.
    const next: Continuation = { scope: frame.state, seq: runtime.lastSeq, records: runtime.takeRecords(), startedAt };
    return continueAsNew<typeof runWorkflow>({ ...input, continuation: next });
  }

  const result: RunWorkflowResult =
    outcome.status === 'failed'
      ? { status: 'failed', outputs: frame.state.endOutputs, error: outcome.error }
      : { status: outcome.partial ? 'partially-succeeded' : 'succeeded', outputs: outcome.endOutputs };
  if (keepsRecord) {
    await records.recordRunFinished({ runId, tenantId, ...result, finishedAt: new Date().toISOString(), records: runtime.takeRecords() });
  }
  return result;
}
