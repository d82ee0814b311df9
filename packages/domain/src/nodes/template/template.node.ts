import { z } from 'zod';
import { DEFAULT_HANDLE } from '../../dsl/graph.schema';
import { defineNodeType } from '../node-type';

export const templateDataSchema = z.object({ template: z.string() }).strict();
export type TemplateData = z.infer<typeof templateDataSchema>;

export const templateNode = defineNodeType({
  type: 'template',
  version: 1,
  passThrough: true,
  liquidFields: ['template'],
  dataSchema: templateDataSchema,
  outputs: () => ['text'],
  handles: () => [DEFAULT_HANDLE],
});
