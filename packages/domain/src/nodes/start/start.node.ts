import { z } from 'zod';
import { DEFAULT_HANDLE } from '../../dsl/graph.schema';
import { defineNodeType } from '../node-type';

export const startNode = defineNodeType({
  type: 'start',
  version: 1,
  passThrough: true,
  dataSchema: z.object({}).strict().optional(),
  outputs: (_node, graph) => Object.keys(graph.inputs ?? {}),
  handles: () => [DEFAULT_HANDLE],
});
