import { DomainError, ValidationFailedError, describe, type ApiErrorCode, type Issue } from '@weft/domain';

/** The codes the knowledge and ingestion-job routes answer with of their own. */
type KnowledgeApiCode = Extract<
  ApiErrorCode,
  'knowledge_not_found' | 'knowledge_name_taken' | 'knowledge_busy' | 'document_not_found' | 'document_state_conflict' | 'ingestion_job_not_found' | 'ingestion_job_state_conflict' | 'upload_too_large'
>;

/** A refusal about a knowledge, a document or a job; its status is the catalogue's for its code. */
export class KnowledgeApiError extends DomainError {
  constructor(
    readonly code: KnowledgeApiCode,
    message: string,
    details?: unknown,
  ) {
    super(message, details);
  }
}

export const knowledgeNotFound = (id: string) => new KnowledgeApiError('knowledge_not_found', describe('knowledge_not_found', { id }));
export const documentNotFound = (id: string) => new KnowledgeApiError('document_not_found', describe('document_not_found', { id }));
export const jobNotFound = (id: string) => new KnowledgeApiError('ingestion_job_not_found', describe('ingestion_job_not_found', { id }));
export const knowledgeNameTaken = (name: string) => new KnowledgeApiError('knowledge_name_taken', describe('knowledge_name_taken', { name }));
export const knowledgeBusy = (id: string, status: string, jobId: string) => new KnowledgeApiError('knowledge_busy', describe('knowledge_busy', { id, status }), { status, jobId });
export const documentConflict = (id: string, status: string, verb: string) =>
  new KnowledgeApiError('document_state_conflict', describe('document_state_conflict', { id, status, verb }), { status });
export const jobConflict = (status: string, verb: string, details: Record<string, unknown> = {}) =>
  new KnowledgeApiError('ingestion_job_state_conflict', describe('ingestion_job_state_conflict', { status, verb }), { status, ...details });
export const uploadTooLarge = (limit: string) => new KnowledgeApiError('upload_too_large', describe('upload_too_large', { limit }), { limit });

/** Every problem of an upload at once (422 upload_invalid with details.issues). */
export const uploadInvalid = (issues: Issue[]) => new ValidationFailedError('upload_invalid', describe('upload_invalid', { count: issues.length }), issues);

export const providerNotFound = (name: string | undefined) =>
  new ValidationFailedError('embedding_provider_not_found', describe('embedding_provider_not_found', { what: name ? `No model provider named '${name}' in this workspace` : 'This workspace has no model provider' }), [
    { code: 'embedding_provider_not_found', message: name ? `no model provider named '${name}'` : 'no model provider', path: ['embedding', 'provider'] },
  ]);
