import { z } from 'zod';
import { DEFAULT_HANDLE } from '../../dsl/graph.schema';
import { defineNodeType } from '../node-type';

export const assignDataSchema = z
  .object({
    assignments: z
      .array(z.object({ variable: z.string().min(1), op: z.enum(['set', 'append', 'increment']).default('set'), value: z.unknown().optional() }).strict())
      .min(1),
  })
  .strict();
export type AssignData = z.infer<typeof assignDataSchema>;

/** Writes variables of the enclosing loop; only valid inside a loop's graph. */
export const assignNode = defineNodeType({
  type: 'assign',
  version: 1,
  dataSchema: assignDataSchema,
  outputs: () => [],
  handles: () => [DEFAULT_HANDLE],
});
