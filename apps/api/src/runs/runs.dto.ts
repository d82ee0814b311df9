import type { Run } from '@weft/activities';
import { isTerminal, toPublicError, type RunLiveState, type RunStatus } from '@weft/domain';
import type { RunDto } from './runs.responses';
import type { ChildRunSummary } from './runs.service';

export interface TemporalLinks {
  uiUrl: string;
  namespace: string;
}

export interface RunExtras {
  /** tokens of the run and all its descendants; the run's own when not given */
  usage?: { inputTokens: number; outputTokens: number };
  children?: { items: ChildRunSummary[]; total: number };
  /** the live state of an open run, from its workflow */
  live?: RunLiveState;
}

export function runDto(run: Run, links: TemporalLinks, extras: RunExtras = {}): RunDto {
  const base = links.uiUrl.replace(/\/$/, '');
  const ns = encodeURIComponent(links.namespace);
  const wf = encodeURIComponent(run.temporalWorkflowId);
  return {
    id: run.id,
    workflowId: run.workflowId,
    version: run.version ?? 'draft',
    // While the run is open its workflow knows best (a status write may still be on its way).
    status: extras.live && !isTerminal(run.status as RunStatus) ? extras.live.status : run.status,
    inputs: run.inputs,
    outputs: run.outputs,
    error: toPublicError(run.error),
    createdAt: run.createdAt.toISOString(),
    startedAt: run.startedAt?.toISOString() ?? null,
    finishedAt: run.finishedAt?.toISOString() ?? null,
    // summed over every LLM call of the run and of its child runs (all attempts)
    usage: extras.usage ?? { inputTokens: run.inputTokens, outputTokens: run.outputTokens },
    parentRunId: run.parentRunId,
    parent: run.parentRunId
      ? {
          runId: run.parentRunId,
          nodeId: run.parentNodeId,
          nodeKey: run.parentNodeKey,
          ...(run.parentIterationIndex !== null ? { iterationIndex: run.parentIterationIndex } : {}),
          ...(run.parentLoopIndex !== null ? { loopIndex: run.parentLoopIndex } : {}),
        }
      : null,
    originRunId: run.originRunId,
    rerunFromNodeId: run.rerunFromNodeId,
    ...(extras.children
      ? {
          children: extras.children.items.map((c) => ({
            id: c.id,
            workflowId: c.workflowId,
            version: c.version,
            status: c.status,
            nodeId: c.nodeId,
            nodeKey: c.nodeKey,
            ...(c.iterationIndex !== null ? { iterationIndex: c.iterationIndex } : {}),
            ...(c.loopIndex !== null ? { loopIndex: c.loopIndex } : {}),
            createdAt: c.createdAt.toISOString(),
            finishedAt: c.finishedAt?.toISOString() ?? null,
          })),
          childCount: extras.children.total,
        }
      : {}),
    temporal: {
      workflowId: run.temporalWorkflowId,
      runId: run.temporalRunId,
      uiUrl: run.temporalRunId
        ? `${base}/namespaces/${ns}/workflows/${wf}/${encodeURIComponent(run.temporalRunId)}/history`
        : `${base}/namespaces/${ns}/workflows/${wf}`,
    },
    ...(extras.live ? { live: extras.live } : {}),
  };
}
