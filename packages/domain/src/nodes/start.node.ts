import { z } from 'zod';
import { DEFAULT_HANDLE } from '../dsl/graph.schema';
import { defineNodeType } from './node-type';

export const startNode = defineNodeType({
  type: 'start',
  dataSchema: z.object({}).strict().optional(),
  outputs: (_node, graph) => Object.keys(graph.inputs ?? {}),
  handles: () => [DEFAULT_HANDLE],
  effectful: false,
});
