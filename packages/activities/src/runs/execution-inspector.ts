import { Client, Connection, WorkflowNotFoundError } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { RUN_WORKFLOW_TYPE, type RunWorkflowResult } from '@weft/domain';

/** What Temporal knows of a run's execution, which the run's record must agree with. */
export type ExecutionState =
  | { kind: 'missing' }
  | { kind: 'open' }
  | { kind: 'completed'; closedAt: Date; result: RunWorkflowResult | undefined }
  | { kind: 'closed'; closedAt: Date; how: 'FAILED' | 'CANCELLED' | 'TERMINATED' | 'TIMED_OUT' };

/** The port the reconciler reads Temporal through. */
export interface ExecutionInspector {
  inspect(temporalWorkflowId: string): Promise<ExecutionState>;
  /** workflow ids of open run executions, at most `limit` */
  listOpen(limit: number): Promise<string[]>;
}

/** The inspector on Temporal's client. */
export class TemporalExecutionInspector implements ExecutionInspector {
  constructor(
    private readonly client: Client,
    private readonly deadlineMs = 5_000,
  ) {}

  async inspect(temporalWorkflowId: string): Promise<ExecutionState> {
    const handle = this.client.workflow.getHandle(temporalWorkflowId);
    let description;
    try {
      description = await this.client.withDeadline(Date.now() + this.deadlineMs, () => handle.describe());
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return { kind: 'missing' };
      throw err;
    }
    const status = description.status.name;
    const closedAt = description.closeTime ?? new Date();
    if (status === 'RUNNING' || status === 'CONTINUED_AS_NEW' || status === 'PAUSED' || status === 'UNSPECIFIED' || status === 'UNKNOWN') return { kind: 'open' };
    if (status === 'COMPLETED') {
      const result = await this.client
        .withDeadline(Date.now() + this.deadlineMs, () => handle.result() as Promise<RunWorkflowResult>)
        .catch(() => undefined);
      return { kind: 'completed', closedAt, result };
    }
    return { kind: 'closed', closedAt, how: status };
  }

  async listOpen(limit: number): Promise<string[]> {
    const ids: string[] = [];
    const query = `WorkflowType = '${RUN_WORKFLOW_TYPE}' AND ExecutionStatus = 'Running'`;
    for await (const execution of this.client.workflow.list({ query, pageSize: Math.min(limit, 1000) })) {
      ids.push(execution.workflowId);
      if (ids.length >= limit) break;
    }
    return ids;
  }
}

/** An inspector on its own client connection (for processes that hold no Temporal client); `dataConverter` reads the results it inspects (the payload codec). */
export async function connectExecutionInspector(options: { address: string; namespace: string; dataConverter: DataConverter }): Promise<{ inspector: TemporalExecutionInspector; close(): Promise<void> }> {
  const connection = await Connection.connect({ address: options.address });
  const client = new Client({ connection, namespace: options.namespace, dataConverter: options.dataConverter });
  return { inspector: new TemporalExecutionInspector(client), close: () => connection.close() };
}
