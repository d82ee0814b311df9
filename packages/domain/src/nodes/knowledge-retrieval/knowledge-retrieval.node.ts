import { z } from 'zod';
import { DEFAULT_HANDLE } from '../../dsl/graph.schema';
import { RETRIEVAL_MODES } from '../../knowledge/knowledge.contract';
import { defineNodeType } from '../node-type';

/** Knowledges one node searches at once: each is one search in the vector store per run of the node. */
export const RETRIEVAL_MAX_KNOWLEDGES = 10;

/**
 * `query` is text with `{{ }}` references, resolved before the activity runs; the activity checks
 * the resolved query against the retrieve route's own bounds (retrievalOptionsSchema).
 */
export const knowledgeRetrievalDataSchema = z
  .object({
    knowledgeIds: z.array(z.string().min(1).max(200)).min(1).max(RETRIEVAL_MAX_KNOWLEDGES),
    query: z.string().min(1),
    topK: z.number().int().min(1).max(100).default(4),
    scoreThreshold: z.number().min(0).max(1).optional(),
    /** hybrid by default for high-quality knowledge; an economy knowledge answers full-text whatever is asked */
    mode: z.enum(RETRIEVAL_MODES).optional(),
  })
  .strict();
export type KnowledgeRetrievalData = z.infer<typeof knowledgeRetrievalDataSchema>;

export const knowledgeRetrievalNode = defineNodeType({
  type: 'knowledge-retrieval',
  version: 1,
  dataSchema: knowledgeRetrievalDataSchema,
  outputs: () => ['results', 'count', 'searched'],
  handles: () => [DEFAULT_HANDLE],
  effect: { kind: 'activity', activity: 'nodeKnowledgeRetrieval', timeout: '60s', maxAttempts: 3 },
});
