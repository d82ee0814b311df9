import { CancellationScope, WorkflowError, condition, continueAsNew, defineQuery, isCancellation, setHandler } from '@temporalio/workflow';
import {
  PENDING_NODES_QUERY,
  effectiveRunLimits,
  measureValue,
  type NodeRecord,
  type RunWorkflowInput,
  type RunWorkflowResult,
} from '@weft/domain';
import { RunControl, type ControlState } from './interpreter/run-control';
import { rerunScopeState } from './interpreter/rerun-seed';
import { RunAborted, internalError } from './interpreter/run-errors';
import { Runtime } from './interpreter/runtime';
import { runScope, type ScopeOutcome } from './interpreter/scheduler';
import { newScopeState, type Frame, type ScopeState } from './interpreter/state';
import { opensApprovals, runsInline } from './interpreter/runs-inline';
import { RunRecords } from './run-records';

/** Node records not yet written to PostgreSQL; the API merges them into a live run's node list. */
export const pendingNodesQuery = defineQuery<readonly NodeRecord[]>(PENDING_NODES_QUERY);

/** What a run carries into its next execution when it continues-as-new. */
interface Continuation {
  scope: ScopeState;
  seq: number;
  records: NodeRecord[];
  startedAt: string;
  /** node executions so far (absent in continuations from before the limit existed) */
  executions?: number;
  /** the pause and the approvals still open (absent in continuations from before approvals ran) */
  control?: ControlState;
}

/** The one workflow: interprets the graph it was started with (a pinned published version). */
export async function runWorkflow(input: RunWorkflowInput): Promise<RunWorkflowResult> {
  const { runId, tenantId, workflowId } = input;
  const continuation = input.continuation as Continuation | undefined;
  const startedAt = continuation?.startedAt ?? new Date().toISOString();
  // Children started before child runs had records of their own keep none.
  const keepsRecord = !input.parent || input.parent.recorded === true;
  const records = new RunRecords({ runId, tenantId }, keepsRecord, opensApprovals(input.graph));
  // Updates and the live-state Query are answered from the start, also while the start is recorded.
  const control = new RunControl({ runId, tenantId }, continuation?.control);
  control.install();
  if (!continuation) {
    // A graph that never waits writes its start with its end (one activation fewer), unless it has to wait after all.
    if (input.startWithEnd && runsInline(input.graph)) records.deferStart(input, startedAt);
    else await records.started(input, startedAt);
  }

  let runtime: Runtime | undefined;
  let frame: Frame | undefined;
  let outcome: ScopeOutcome;
  try {
    runtime = new Runtime({
      run: { runId, tenantId, workflowId, inputs: input.inputs },
      subgraphs: input.subgraphs ?? {},
      subgraphVersions: input.subgraphVersions ?? {},
      limits: effectiveRunLimits(input.limits),
      seq: continuation?.seq ?? 0,
      executions: continuation?.executions ?? 0,
      pending: continuation?.records,
      writeRecords: (batch) => records.nodes(batch),
      beforePause: () => records.takeStart(),
      control,
    });
    const live = runtime;
    setHandler(pendingNodesQuery, () => live.peekRecords());
    frame = {
      body: input.graph,
      // A rerun begins with the nodes it reuses finished (interpreter/rerun-seed.ts).
      state: continuation?.scope ?? (input.rerun ? rerunScopeState(input.graph, input.rerun) : newScopeState(input.graph)),
      locals: { sys: { runId, workflowId, startedAt } },
      startOutputs: input.inputs,
      path: [],
    };
    outcome = await runScope(frame, runtime);
  } catch (err) {
    if (isCancellation(err)) {
      control.upsertStatusAttribute('cancelled');
      await CancellationScope.nonCancellable(() =>
        records.finished(
          { status: 'cancelled', outputs: {}, error: { code: 'run_cancelled', message: 'The run was cancelled' } },
          runtime?.takeRecords() ?? [],
        ),
      );
      throw err;
    }
    // The SDK's own errors (a determinism problem) must reach it; anything else ends the run.
    if (err instanceof WorkflowError) throw err;
    outcome = { status: 'failed', error: err instanceof RunAborted ? err.error : internalError(err, { runId }, 'the run') };
  }

  if (outcome.status === 'suspended' && runtime && frame) {
    // History is long: go on in a fresh execution with the same workflow id and all progress.
    await settle(control);
    const start = records.takeStart();
    if (start) await start;
    const next: Continuation = { scope: frame.state, seq: runtime.lastSeq, records: runtime.takeRecords(), startedAt, executions: runtime.executionCount };
    if (control.touched) next.control = control.carried();
    // A rerun's seed lives on in the carried scope: carrying it twice could only hit the bound.
    const carried = { ...input, rerun: undefined, continuation: next };
    const limits = runtime.limits;
    if (!measureValue(carried, { maxDepth: Infinity, maxBytes: limits.maxPayloadBytes }).problem) {
      return continueAsNew<typeof runWorkflow>(carried);
    }
    runtime.restoreRecords(next.records);
    outcome = {
      status: 'failed',
      error: { code: 'run_state_too_large', message: `The run's state grew past ${limits.maxPayloadBytes} bytes and cannot be carried on (WEFT_MAX_PAYLOAD_BYTES)` },
    };
  }

  const result = resultOf(outcome, frame, runtime);
  await settle(control);
  control.upsertStatusAttribute(result.status);
  await records.finished(result, runtime?.takeRecords() ?? []);
  return { ...result, executions: runtime?.executionCount ?? 0 };
}

/**
 * Lets decisions and pauses being recorded land before the run moves on (continue-as-new, its
 * end): an accepted Update always completes. No await at all in runs that never had one.
 */
async function settle(control: RunControl): Promise<void> {
  if (control.busy) await condition(() => !control.busy);
  const writes = control.pendingWrites();
  if (writes) await writes;
}

/** The run's result, small enough for Temporal to accept as the workflow's result. */
function resultOf(outcome: ScopeOutcome, frame: Frame | undefined, runtime: Runtime | undefined): RunWorkflowResult {
  const endOutputs = frame?.state.endOutputs ?? {};
  let result: RunWorkflowResult;
  if (outcome.status === 'completed') result = { status: outcome.partial ? 'partially-succeeded' : 'succeeded', outputs: outcome.endOutputs };
  else if (outcome.status === 'failed') result = { status: 'failed', outputs: endOutputs, error: outcome.error };
  // A suspended outcome either continued-as-new or failed above; this is for the type checker.
  else result = { status: 'failed', outputs: endOutputs, error: { code: 'run_stalled', message: 'The run stopped making progress' } };
  const maxBytes = runtime?.limits.maxPayloadBytes ?? effectiveRunLimits(undefined).maxPayloadBytes;
  if (measureValue(result.outputs, { maxDepth: Infinity, maxBytes }).problem) {
    return { status: 'failed', outputs: {}, error: { code: 'run_outputs_too_large', message: `The run's outputs are larger than ${maxBytes} bytes of JSON (WEFT_MAX_PAYLOAD_BYTES)` } };
  }
  return result;
}


