import { z } from 'zod';
import { DEFAULT_HANDLE } from '../../dsl/graph.schema';
import { defineNodeType } from '../node-type';

const sources = z.array(z.string().min(1)).min(1);

export const variableAggregatorDataSchema = z
  .object({ sources: sources.optional(), groups: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), sources).optional() })
  .strict()
  .refine((d) => (d.sources === undefined) !== (d.groups === undefined), { message: 'set exactly one of "sources" or "groups"' });
export type VariableAggregatorData = z.infer<typeof variableAggregatorDataSchema>;

/** The first source whose node ran wins: joins the branches of an if-else into one value. */
export const variableAggregatorNode = defineNodeType({
  type: 'variable-aggregator',
  version: 1,
  passThrough: true,
  dataSchema: variableAggregatorDataSchema,
  outputs: (node) => {
    const parsed = variableAggregatorDataSchema.safeParse(node.data);
    if (!parsed.success) return 'any';
    return parsed.data.groups ? Object.keys(parsed.data.groups) : ['value'];
  },
  handles: () => [DEFAULT_HANDLE],
  namedFields: ['groups'],
});
