import { z } from 'zod';
import { DEFAULT_HANDLE } from '../../dsl/graph.schema';
import { defineNodeType } from '../node-type';

export const knowledgeRetrievalDataSchema = z
  .object({
    knowledgeIds: z.array(z.string().min(1)).min(1),
    query: z.string().min(1),
    topK: z.number().int().min(1).max(100).default(4),
    scoreThreshold: z.number().min(0).max(1).optional(),
  })
  .strict();
export type KnowledgeRetrievalData = z.infer<typeof knowledgeRetrievalDataSchema>;

export const knowledgeRetrievalNode = defineNodeType({
  type: 'knowledge-retrieval',
  version: 1,
  runnable: false,
  dataSchema: knowledgeRetrievalDataSchema,
  outputs: () => ['results'],
  handles: () => [DEFAULT_HANDLE],
  effect: { kind: 'activity', activity: 'nodeKnowledgeRetrieval', timeout: '60s', maxAttempts: 3 },
});
