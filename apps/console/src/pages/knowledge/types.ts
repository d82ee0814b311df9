import type { paths } from '../../api/client';

type Json<R> = R extends { content: { 'application/json': infer B } } ? B : never;
type DataOf<R> = Json<R> extends { data: infer D } ? D : never;

/** The section's shapes, read from the OpenAPI document's types (never written by hand). */
export type Knowledge = DataOf<paths['/v1/knowledge/{id}']['get']['responses'][200]>;
export type KnowledgeDocument = DataOf<paths['/v1/knowledge/{id}/documents/{docId}']['get']['responses'][200]>;
export type IngestionJob = DataOf<paths['/v1/ingestion-jobs/{id}']['get']['responses'][200]>;
export type JobDocument = IngestionJob['documents'][number];
export type UploadResult = DataOf<paths['/v1/knowledge/{id}/documents']['post']['responses'][202]>;
export type RetrievalAnswer = DataOf<paths['/v1/knowledge/{id}/retrieve']['post']['responses'][200]>;
export type CreateKnowledgeBody = NonNullable<paths['/v1/knowledge']['post']['requestBody']>['content']['application/json'];
export type ChunkingStrategy = Knowledge['chunking']['strategy'];

/** A document still on its way (queued, parsing, splitting, embedding, indexing). */
export const isDocumentFinal = (status: string) => status === 'completed' || status === 'error';
/** A job that will not change any more (until a retry). */
export const isJobFinal = (status: string) => status !== 'queued' && status !== 'running';

/** Bytes as people read them. */
export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}
