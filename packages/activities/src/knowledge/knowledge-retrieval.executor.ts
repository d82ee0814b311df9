import { knowledgeRetrievalDataSchema, retrievalOptionsSchema } from '@weft/domain';
import { NodeFailure } from '../errors/node-failure';
import type { NodeExecutor } from '../nodes/node-activities';
import type { RetrievalService } from './retrieval';

/**
 * The `knowledge-retrieval` node: retrieval in the run's tenant (the only scope it has: a graph
 * naming another tenant's knowledge fails with knowledge_not_found). Outputs `results` (best
 * first), `count`, and `searched` (how each knowledge was searched).
 */
export function createKnowledgeRetrievalExecutor(retrieval: RetrievalService): NodeExecutor {
  return async (input, signal) => {
    const { knowledgeIds, ...options } = parseConfig(input.config);
    const answer = await retrieval.retrieve({ tenantId: input.tenantId, knowledgeIds, ...options }, signal);
    return { results: answer.results, count: answer.results.length, searched: answer.searched };
  };
}

/** The node's data as resolved: a query a whole reference made a non-string is searched as its JSON text. */
function parseConfig(config: unknown) {
  const raw = (config ?? {}) as { query?: unknown };
  const query = raw.query === null ? '' : raw.query !== undefined && typeof raw.query !== 'string' ? JSON.stringify(raw.query) : raw.query;
  const data = knowledgeRetrievalDataSchema.safeParse({ ...raw, query });
  const options = data.success ? retrievalOptionsSchema.safeParse({ query: data.data.query, topK: data.data.topK, scoreThreshold: data.data.scoreThreshold, mode: data.data.mode }) : undefined;
  const issues = !data.success ? data.error.issues : !options!.success ? options!.error.issues : [];
  if (issues.length) {
    const listed = issues.slice(0, 5).map((i) => `${i.path.join('.') || '(data)'}: ${i.message}`);
    throw new NodeFailure('knowledge_retrieval_config_invalid', { issues: listed.join('; ') }, { details: { issues: listed } });
  }
  return { ...options!.data!, knowledgeIds: data.data!.knowledgeIds };
}
