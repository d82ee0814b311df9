import { z } from 'zod';
import { DEFAULT_HANDLE } from '../dsl/graph.schema';
import { defineNodeType } from './node-type';

export const codeDataSchema = z
  .object({
    language: z.literal('javascript').default('javascript'),
    code: z.string().min(1).max(100_000),
    inputs: z.record(z.string(), z.unknown()).default({}),
  })
  .strict();
export type CodeData = z.infer<typeof codeDataSchema>;

/** JavaScript `main(inputs)` run in a sandbox by an activity; its outputs are what `main` returns. */
export const codeNode = defineNodeType({
  type: 'code',
  dataSchema: codeDataSchema,
  outputs: () => 'any',
  handles: () => [DEFAULT_HANDLE],
  effectful: true,
  namedFields: ['inputs'],
});
