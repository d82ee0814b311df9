import type { Router } from 'express';
import { z } from 'zod';
import { NodeFailure, type RetrievalService } from '@weft/activities';
import { DomainError, INDEXING_MODES, RETRIEVAL_MODES, describe, errorSpec, retrievalOptionsSchema, type ApiErrorCode } from '@weft/domain';
import { sendData } from '../http/envelope';
import { BODY_ERRORS, bindRoutes, data, defineRoutes } from '../http/route';

export const knowledgeParams = z.object({ id: z.string().min(1).max(200) });
export const retrieveBody = retrievalOptionsSchema.meta({ examples: [{ query: 'How do I reset my password?', topK: 4, scoreThreshold: 0.3, mode: 'hybrid' }] });

export const retrievalResultSchema = z.object({
  content: z.string().meta({ description: "the segment's text, or its wider context (the parent chunk of parent-child)" }),
  score: z.number().min(0).max(1).meta({ description: '0..1, higher is closer: cosine similarity (dense), a bounded BM25 (full-text), normalised RRF (hybrid)' }),
  knowledgeId: z.string(),
  documentId: z.string(),
  segmentId: z.string(),
  metadata: z.object({ documentName: z.string(), position: z.number().int() }).catchall(z.unknown()),
});

export const retrievalAnswerSchema = z.object({
  results: z.array(retrievalResultSchema).meta({ description: 'best first, at most topK, none below scoreThreshold' }),
  count: z.number().int(),
  searched: z
    .array(z.object({ knowledgeId: z.string(), indexing: z.enum(INDEXING_MODES), mode: z.enum(RETRIEVAL_MODES), note: z.string().optional() }))
    .meta({ description: 'how each knowledge was searched (an economy knowledge answers full-text whatever is asked)' }),
});

export const retrieveRoutes = defineRoutes({
  retrieve: {
    method: 'post',
    path: '/v1/knowledge/:id/retrieve',
    summary: 'Search a knowledge',
    note: "a high-quality knowledge's query is embedded with the tenant's model provider",
    request: { params: knowledgeParams, body: retrieveBody },
    responses: { 200: data(retrievalAnswerSchema, 'The results, as the knowledge-retrieval node gives them') },
    errors: [...BODY_ERRORS, 403, 404, 422, 502],
  },
});

/** An expected failure of retrieval, answered with its catalogue code and status. */
class RetrievalError extends DomainError {
  constructor(
    readonly code: ApiErrorCode,
    message: string,
    details?: unknown,
  ) {
    super(message, details);
  }
}

/**
 * Retrieval fails with activity codes (it is the node's service too). Those with an HTTP status
 * answer with it (knowledge_not_found 404, embedding_unavailable 422, vector_store_unavailable
 * 503); a model provider's failure while embedding the query is retrieval_failed (502), its own
 * code in the details.
 */
function toApiError(err: unknown, knowledgeId: string): unknown {
  if (!(err instanceof NodeFailure)) return err;
  if (errorSpec(err.code as string)?.status !== undefined) return new RetrievalError(err.code as ApiErrorCode, err.message, err.options.details);
  return new RetrievalError('retrieval_failed', describe('retrieval_failed', { knowledgeId, reason: err.message }), { cause: err.code });
}

export function retrieveRouter(retrieval: RetrievalService): Router {
  return bindRoutes(retrieveRoutes, {
    retrieve: async (req, res, { params, body }) => {
      try {
        const answer = await retrieval.retrieve({ tenantId: req.auth.tenantId, knowledgeIds: [params.id], ...body });
        sendData(req, res, { results: answer.results, count: answer.results.length, searched: answer.searched });
      } catch (err) {
        throw toApiError(err, params.id);
      }
    },
  });
}
