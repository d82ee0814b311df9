import { z } from 'zod';
import { DURATION_BOUNDS } from '../../dsl/duration';
import { DEFAULT_HANDLE } from '../../dsl/graph.schema';
import { defineNodeType } from '../node-type';

export const subWorkflowDataSchema = z
  .object({
    workflowId: z.string().min(1),
    /** a published version; the latest published one when the parent run starts, when omitted */
    version: z.number().int().min(1).max(2_147_483_647).optional(),
    inputs: z.record(z.string(), z.unknown()).default({}),
  })
  .strict();
export type SubWorkflowData = z.infer<typeof subWorkflowDataSchema>;

/** Another published workflow run as a Temporal child workflow; its outputs are the child's. */
export const subWorkflowNode = defineNodeType({
  type: 'sub-workflow',
  version: 1,
  dataSchema: subWorkflowDataSchema,
  outputs: () => 'any',
  handles: () => [DEFAULT_HANDLE],
  effect: { kind: 'child-workflow' },
  namedFields: ['inputs'],
  timeoutBound: DURATION_BOUNDS.childRunTimeout,
});
