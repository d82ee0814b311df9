import { z } from 'zod';
import { defineNodeType } from '../node-type';

export const endDataSchema = z.object({ outputs: z.record(z.string(), z.unknown()).default({}) }).strict();
export type EndData = z.infer<typeof endDataSchema>;

export const endNode = defineNodeType({
  type: 'end',
  version: 1,
  passThrough: true,
  dataSchema: endDataSchema,
  outputs: () => [],
  handles: () => [],
  namedFields: ['outputs'],
});
