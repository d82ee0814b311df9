import { z } from 'zod';
import { DEFAULT_HANDLE } from '../../dsl/graph.schema';
import { innerGraphSchema } from '../shared/container.schema';
import { defineNodeType } from '../node-type';

export const iterationDataSchema = z
  .object({
    /** a reference to an array */
    items: z.string().min(1),
    parallelism: z.number().int().min(1).max(50).default(1),
    /** terminate: the node fails; continue: the item's result is null; remove: the item is dropped */
    onItemError: z.enum(['terminate', 'continue', 'remove']).default('terminate'),
    graph: innerGraphSchema,
    /** a reference into the inner graph; the inner end's outputs when omitted */
    output: z.string().optional(),
    /** concatenate array results */
    flatten: z.boolean().default(false),
  })
  .strict();
export type IterationData = z.infer<typeof iterationDataSchema>;

export const iterationNode = defineNodeType({
  type: 'iteration',
  version: 1,
  dataSchema: iterationDataSchema,
  outputs: () => ['results'],
  handles: () => [DEFAULT_HANDLE],
  referenceFields: ['items'],
  container: { innerScopeFields: ['output'], locals: () => ['item', 'index'] },
});
