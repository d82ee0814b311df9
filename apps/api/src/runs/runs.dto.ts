import type { Run } from '@weft/activities';
import { toPublicError } from '@weft/domain';
import type { RunDto } from './runs.responses';

export interface TemporalLinks {
  uiUrl: string;
  namespace: string;
}

export function runDto(run: Run, links: TemporalLinks): RunDto {
  const base = links.uiUrl.replace(/\/$/, '');
  const ns = encodeURIComponent(links.namespace);
  const wf = encodeURIComponent(run.temporalWorkflowId);
  return {
    id: run.id,
    workflowId: run.workflowId,
    version: run.version ?? 'draft',
    status: run.status,
    inputs: run.inputs,
    outputs: run.outputs,
    error: toPublicError(run.error),
    createdAt: run.createdAt.toISOString(),
    startedAt: run.startedAt?.toISOString() ?? null,
    finishedAt: run.finishedAt?.toISOString() ?? null,
    // summed over every LLM call of the run (all attempts), written by the llm node's activity
    usage: { inputTokens: run.inputTokens, outputTokens: run.outputTokens },
    temporal: {
      workflowId: run.temporalWorkflowId,
      runId: run.temporalRunId,
      uiUrl: run.temporalRunId
        ? `${base}/namespaces/${ns}/workflows/${wf}/${encodeURIComponent(run.temporalRunId)}/history`
        : `${base}/namespaces/${ns}/workflows/${wf}`,
    },
  };
}
