import { z } from 'zod';
import { DEFAULT_HANDLE } from '../../dsl/graph.schema';
import { defineNodeType } from '../node-type';

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
  version: 1,
  dataSchema: codeDataSchema,
  outputs: () => 'any',
  handles: () => [DEFAULT_HANDLE],
  effect: { kind: 'activity', activity: 'nodeCode', timeout: '30s', maxAttempts: 1 },
  namedFields: ['inputs'],
});
