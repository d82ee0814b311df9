import { ChildWorkflowFailure, executeChild, isCancellation, patched, uuid4, workflowInfo } from '@temporalio/workflow';
import {
  RUN_WORKFLOW_TYPE,
  containsBlobRef,
  measureValue,
  own,
  resolveValue,
  subgraphKey,
  validateRunInputs,
  type RunWorkflowInput,
  type RunWorkflowResult,
  type SubWorkflowData,
} from '@weft/domain';
import { failed, succeeded, type NodeHandler } from '../node-handler';

/** Marks runs whose children are runs of their own (a record, node records, usage, a parent link). */
export const CHILD_RUNS_PATCH = 'weft-child-runs';

/**
 * Runs another published workflow as a Temporal child workflow. Its graph was resolved (and its
 * version pinned) when the parent run started, so a later publish never changes this run.
 */
export const subWorkflowHandler: NodeHandler<SubWorkflowData> = async ({ node, data, pool, run, limits, location, childRuns, loadBlobs }) => {
  const key = subgraphKey(data.workflowId, data.version);
  const graph = own(childRuns.graphs, key);
  if (!graph) return failed('sub_workflow_not_found', `Workflow '${key}' was not resolved when the run started`);
  const recorded = patched(CHILD_RUNS_PATCH);
  let inputs = resolveValue(data.inputs ?? {}, pool) as Record<string, unknown>;
  // A large value held outside history becomes the child's input itself, not a reference to it.
  if (recorded && containsBlobRef(inputs)) inputs = await loadBlobs(inputs);
  const { values, issues } = validateRunInputs(graph.inputs, inputs);
  if (issues.length) return failed('sub_workflow_invalid_inputs', issues.map((i) => i.message).join('; '));

  const input: RunWorkflowInput = recorded
    ? {
        runId: `run_${uuid4().replace(/-/g, '')}`,
        tenantId: run.tenantId,
        workflowId: data.workflowId,
        version: data.version ?? own(childRuns.versions, key) ?? null,
        graph,
        inputs: values,
        requestedAt: new Date().toISOString(),
        subgraphs: childRuns.graphs,
        subgraphVersions: childRuns.versions,
        parent: {
          runId: run.runId,
          nodeKey: location.key,
          nodeId: node.id,
          ...(location.iterationIndex !== undefined ? { iterationIndex: location.iterationIndex } : {}),
          ...(location.loopIndex !== undefined ? { loopIndex: location.loopIndex } : {}),
          recorded: true,
        },
        // A child shares its parent's budget of node executions.
        limits: { ...limits, maxNodeExecutions: childRuns.executionsLeft },
      }
    : {
        runId: `${run.runId}/${location.key}`,
        tenantId: run.tenantId,
        workflowId: data.workflowId,
        version: data.version ?? null,
        graph,
        inputs: values,
        requestedAt: new Date().toISOString(),
        subgraphs: childRuns.graphs,
        parent: { runId: run.runId, nodeKey: location.key },
      };
  if (measureValue(input, { maxDepth: Infinity, maxBytes: limits.maxPayloadBytes }).problem) {
    return failed('node_input_too_large', `The sub-workflow's inputs and graph are larger than ${limits.maxPayloadBytes} bytes (WEFT_MAX_PAYLOAD_BYTES)`);
  }
  try {
    const result = await executeChild<(i: RunWorkflowInput) => Promise<RunWorkflowResult>>(RUN_WORKFLOW_TYPE, {
      workflowId: `${workflowInfo().workflowId}/${location.key}`,
      args: [input],
      ...(node.timeout ? { workflowExecutionTimeout: node.timeout } : {}),
      ...(node.retry ? { retry: { maximumAttempts: node.retry.maxAttempts, initialInterval: node.retry.initialInterval ?? '1s' } } : {}),
    });
    if (recorded) childRuns.charge(result.executions ?? 1);
    const recordInputs = { workflowId: data.workflowId, version: input.version, inputs: values, ...(recorded ? { runId: input.runId } : {}) };
    if (result.status === 'failed') return { ...failed('sub_workflow_failed', result.error?.message ?? 'The sub-workflow failed'), recordInputs };
    return succeeded(result.outputs, { recordInputs });
  } catch (err) {
    if (isCancellation(err)) throw err;
    if (err instanceof ChildWorkflowFailure) return failed('sub_workflow_failed', err.cause?.message ?? err.message);
    throw err;
  }
};
