import { z } from 'zod';
import { DEFAULT_HANDLE } from '../../dsl/graph.schema';
import { conditionCaseSchema } from '../shared/condition.schema';
import { innerGraphSchema } from '../shared/container.schema';
import { defineNodeType } from '../node-type';

export const MAX_LOOP_ITERATIONS = 1000;

export const loopDataSchema = z
  .object({
    variables: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), z.unknown()).default({}),
    graph: innerGraphSchema,
    /** checked after each pass; the loop stops when it holds */
    breakWhen: conditionCaseSchema.optional(),
    maxIterations: z.number().int().min(1).max(MAX_LOOP_ITERATIONS),
  })
  .strict()
  .refine((d) => !('index' in d.variables), { message: "'index' is the pass number and cannot be a loop variable", path: ['variables', 'index'] });
export type LoopData = z.infer<typeof loopDataSchema>;

export const loopNode = defineNodeType({
  type: 'loop',
  version: 1,
  dataSchema: loopDataSchema,
  outputs: () => ['variables', 'iterations'],
  handles: () => [DEFAULT_HANDLE],
  container: {
    innerScopeFields: ['breakWhen'],
    loopVariables: true,
    locals: (data) => [...Object.keys((data as { variables?: Record<string, unknown> } | undefined)?.variables ?? {}), 'index'],
  },
  namedFields: ['variables'],
});
