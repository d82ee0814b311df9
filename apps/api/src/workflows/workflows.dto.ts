import { z } from 'zod';
import type { Workflow, WorkflowVersion } from '@weft/activities';
import { jsonObject, timestamp } from '../http/dto-fields';

export const workflowSchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  draft: jsonObject('The draft graph (weft/v1, see WorkflowGraph), as last saved'),
  latestVersion: z.number().int().min(1).nullable().meta({ description: 'the last published version; null before the first publish' }),
  createdAt: timestamp,
  updatedAt: timestamp,
});
export type WorkflowDto = z.infer<typeof workflowSchema>;

export const workflowVersionSchema = z.object({
  workflowId: z.string(),
  version: z.number().int().min(1),
  graph: jsonObject('The graph of this version (weft/v1, see WorkflowGraph); immutable'),
  createdAt: timestamp,
});
export type WorkflowVersionDto = z.infer<typeof workflowVersionSchema>;

/** What `POST /v1/workflows/:id/validate` answers for a valid graph (an invalid one is a 422). */
export const validationResultSchema = z.object({
  valid: z.literal(true),
  issues: z.array(z.never()).max(0),
});
export type ValidationResultDto = z.infer<typeof validationResultSchema>;

export function workflowDto(w: Workflow): WorkflowDto {
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

export function versionDto(v: WorkflowVersion): WorkflowVersionDto {
  return { workflowId: v.workflowId, version: v.version, graph: v.graph, createdAt: v.createdAt.toISOString() };
}
