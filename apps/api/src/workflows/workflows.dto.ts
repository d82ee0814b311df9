import type { Workflow, WorkflowVersion } from '@weft/activities';

export function workflowDto(w: Workflow) {
  return {
    id: w.id,
    name: w.name,
    description: w.description,
    draft: w.draft,
    latestVersion: w.latestVersion,
    createdAt: w.createdAt.toISOString(),
    updatedAt: w.updatedAt.toISOString(),
  };
}

export function versionDto(v: WorkflowVersion) {
  return { workflowId: v.workflowId, version: v.version, graph: v.graph, createdAt: v.createdAt.toISOString() };
}
