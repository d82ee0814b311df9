import { ChildWorkflowFailure, executeChild, isCancellation, workflowInfo } from '@temporalio/workflow';
import {
  RUN_WORKFLOW_TYPE,
  resolveValue,
  subgraphKey,
  validateRunInputs,
  type RunWorkflowInput,
  type RunWorkflowResult,
  type SubWorkflowData,
} from '@weft/domain';
import { failed, succeeded, type NodeHandler } from './node-handler';

/**
 * Runs another published workflow as a Temporal child workflow. Its graph was resolved (and its
 * version pinned) when the parent run started, so a later publish never changes this run.
 */
export const subWorkflowHandler: NodeHandler<SubWorkflowData> = async ({ node, data, pool, runtime, location }) => {
  const key = subgraphKey(data.workflowId, data.version);
  const graph = runtime.subgraphs[key];
  if (!graph) return failed('sub_workflow_not_found', `Workflow '${key}' was not resolved when the run started`);
  const inputs = resolveValue(data.inputs ?? {}, pool) as Record<string, unknown>;
  const { values, issues } = validateRunInputs(graph.inputs, inputs);
  if (issues.length) return failed('sub_workflow_invalid_inputs', issues.map((i) => i.message).join('; '));

  const { run } = runtime;
  const input: RunWorkflowInput = {
    runId: `${run.runId}/${location.key}`,
    tenantId: run.tenantId,
    workflowId: data.workflowId,
    version: data.version ?? null,
    graph,
    inputs: values,
    requestedAt: new Date().toISOString(),
    subgraphs: runtime.subgraphs,
    parent: { runId: run.runId, nodeKey: location.key },
  };
  try {
    const result = await executeChild<(i: RunWorkflowInput) => Promise<RunWorkflowResult>>(RUN_WORKFLOW_TYPE, {
      workflowId: `${workflowInfo().workflowId}/${location.key}`,
      args: [input],
      ...(node.timeout ? { workflowExecutionTimeout: node.timeout } : {}),
      ...(node.retry ? { retry: { maximumAttempts: node.retry.maxAttempts, initialInterval: node.retry.initialInterval ?? '1s' } } : {}),
    });
    if (result.status === 'failed') return failed('sub_workflow_failed', result.error?.message ?? 'The sub-workflow failed');
    return succeeded(result.outputs, { recordInputs: { workflowId: data.workflowId, version: data.version ?? null, inputs: values } });
  } catch (err) {
    if (isCancellation(err)) throw err;
    if (err instanceof ChildWorkflowFailure) return failed('sub_workflow_failed', err.cause?.message ?? err.message);
    throw err;
  }
};
