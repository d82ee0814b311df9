import { trace } from '@opentelemetry/api';
import type { Client } from '@temporalio/client';
import { SearchAttributeType, defineSearchAttributeKey } from '@temporalio/common';
import { annotateLog } from '@weft/activities';
import { RUN_WORKFLOW_TYPE, SEARCH_ATTRIBUTES, type RunWorkflowInput } from '@weft/domain';

const TENANT_KEY = defineSearchAttributeKey(SEARCH_ATTRIBUTES.tenantId, SearchAttributeType.KEYWORD);
const WORKFLOW_KEY = defineSearchAttributeKey(SEARCH_ATTRIBUTES.workflowId, SearchAttributeType.KEYWORD);
/** Set to running here; the workflow upserts it on each transition and at the end. */
const RUN_STATUS_KEY = defineSearchAttributeKey(SEARCH_ATTRIBUTES.runStatus, SearchAttributeType.KEYWORD);

/**
 * Starts the Temporal workflow of a run whose record exists, with the search attributes every run
 * carries (tenant, workflow, status), so a run started any way (new run, rerun) is found the same way.
 * Returns the first execution's run id.
 */
export async function startRunWorkflow(temporal: Client, taskQueue: string, temporalWorkflowId: string, input: RunWorkflowInput): Promise<string> {
  // The request's log lines and its trace name the run from here on (README "Traces and logs").
  annotateLog({ run_id: input.runId });
  trace.getActiveSpan()?.setAttribute('weft.run_id', input.runId);
  const handle = await temporal.workflow.start(RUN_WORKFLOW_TYPE, {
    taskQueue,
    workflowId: temporalWorkflowId,
    args: [input],
    typedSearchAttributes: [
      { key: TENANT_KEY, value: input.tenantId },
      { key: WORKFLOW_KEY, value: input.workflowId },
      { key: RUN_STATUS_KEY, value: 'running' },
    ],
  });
  return handle.firstExecutionRunId;
}
