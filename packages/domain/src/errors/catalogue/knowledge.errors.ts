import { errorArea } from './error-spec';

/**
 * Knowledge bases, ingestion and retrieval. The document codes are recorded on a document that
 * failed (they never fail its job); the others answer API requests or fail a retrieval node.
 */
export const KNOWLEDGE_ERRORS = errorArea({
  knowledge_not_found: { status: 404, message: "knowledge '{id}' was not found" },
  knowledge_name_taken: { status: 409, message: "a knowledge named '{name}' exists already" },
  document_not_found: { status: 404, message: "document '{id}' was not found" },
  ingestion_job_not_found: { status: 404, message: "ingestion job '{id}' was not found" },
  ingestion_job_state_conflict: { status: 409, message: 'The job is {status}; it cannot be {verb}' },
  upload_invalid: { status: 422, message: 'The upload has {count} problem(s)' },
  upload_too_large: { status: 413, message: 'The upload is larger than {limit}' },
  // A document's own failure: recorded on it, never fails its job.
  document_unsupported: { retryable: false, message: "'{name}' is not a supported format (txt, md, html, json, csv, pdf, docx)" },
  document_unreadable: { retryable: false, message: "'{name}' could not be read as {format}: {reason}" },
  document_empty: { retryable: false, message: "'{name}' holds no text" },
  document_too_large: { retryable: false, message: "'{name}' is too large: {reason}" },
  embedding_failed: { retryable: true, message: 'The embedding model {model} failed: {reason}' },
  embedding_unavailable: { retryable: false, message: 'This knowledge needs embeddings from {provider}, which cannot embed: {reason}' },
  ingestion_cancelled: { retryable: false, message: 'The ingestion job was cancelled before this document was indexed; retry the job to index it' },
  vector_store_unavailable: { status: 503, retryable: true, message: 'The vector store is unavailable; try again' },
  // An embedding that cannot go into (or query) the knowledge's vectors: another attempt would send the same.
  vector_invalid: { retryable: false, message: 'A vector does not fit knowledge {knowledgeId}: {reason}' },
  // Retrieval (the API's retrieve route and the knowledge-retrieval node).
  retrieval_failed: { status: 502, retryable: true, message: 'Retrieval from {knowledgeId} failed: {reason}' },
});
