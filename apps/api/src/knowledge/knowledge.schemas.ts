import { z } from 'zod';
import { DOCUMENT_STATUSES, JOB_STATUSES, KNOWLEDGE_LIMITS } from '@weft/domain';
import { paginationQuery } from '../http/pagination';

const id = z.string().min(1).max(100);

export const knowledgeParams = z.object({ id });
export const documentParams = z.object({ id, docId: id });
export const jobParams = z.object({ id });

export const listKnowledgeQuery = z
  .object({
    ...paginationQuery,
    name: z.string().min(1).max(200).optional().meta({ description: 'the knowledge with exactly this name (the command-line tool finds a knowledge by name this way)' }),
  })
  .strict();

export const listDocumentsQuery = z
  .object({
    ...paginationQuery,
    status: z.enum(DOCUMENT_STATUSES).optional(),
  })
  .strict();

export const listJobsQuery = z
  .object({
    ...paginationQuery,
    knowledgeId: id.optional(),
    status: z.enum(JOB_STATUSES).optional(),
  })
  .strict();

/** A job holds at most maxDocumentsPerUpload documents: one page shows all of them by default. */
export const jobQuery = z
  .object({
    page: paginationQuery.page.meta({ description: "the page of the job's documents" }),
    limit: z.coerce.number().int().min(1).max(KNOWLEDGE_LIMITS.maxDocumentsPerUpload).default(KNOWLEDGE_LIMITS.maxDocumentsPerUpload),
  })
  .strict();

/**
 * A document's name: what it is listed as and (by its extension) how it is read. Control
 * characters are refused by the upload check (issue `document_name_invalid`), not here, so a
 * multipart upload and a JSON one are told the same way.
 */
export const documentName = z.string().min(1).max(255);

/** Text documents in a JSON body (the multipart form is for files). */
export const uploadTextBody = z
  .object({
    documents: z
      .array(
        z
          .object({
            name: documentName.meta({ description: 'e.g. notes.md; the extension says the format (txt, md, html, json, csv; none: txt)' }),
            text: z.string().max(KNOWLEDGE_LIMITS.maxDocumentBytes),
          })
          .strict(),
      )
      .min(1)
      .max(KNOWLEDGE_LIMITS.maxDocumentsPerUpload),
  })
  .strict()
  .meta({ examples: [{ documents: [{ name: 'faq.md', text: '# Returns\nWithin 30 days.' }] }] });
export type UploadTextBody = z.infer<typeof uploadTextBody>;

export const UPLOAD_SOURCES = ['upload', 'cli'] as const;

/** The multipart form of an upload, for the document only (upload.parser.ts reads the stream). */
export const uploadForm = z
  .object({
    files: z
      .array(z.string().meta({ format: 'binary' }))
      .meta({ description: 'one part per file, each with its filename (txt, md, html, json, csv, pdf, docx); any field name is taken' }),
    source: z.enum(UPLOAD_SOURCES).optional().meta({ description: 'recorded on the documents (the command-line tool sends cli)' }),
  })
  .strict();

/** Replaces a failed document's content; the document is indexed again by a retry of its job. */
export const replaceTextBody = z
  .object({
    name: documentName.optional().meta({ description: 'a new name (and so format); the old one when omitted' }),
    text: z.string().max(KNOWLEDGE_LIMITS.maxDocumentBytes),
  })
  .strict();
export type ReplaceTextBody = z.infer<typeof replaceTextBody>;

export const replaceForm = z
  .object({ file: z.string().meta({ format: 'binary', description: 'the new content, with its filename' }) })
  .strict();
