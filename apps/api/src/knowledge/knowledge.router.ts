import type { Request, Router } from 'express';
import { z } from 'zod';
import { auditContext } from '../audit/audit-log';
import { KNOWLEDGE_LIMITS, createKnowledgeSchema } from '@weft/domain';
import { sendData, sendList } from '../http/envelope';
import { pageWindow } from '../http/pagination';
import { BODY_ERRORS, READ_ERRORS, bindRoutes, data, defineRoutes, list } from '../http/route';
import type { DocumentsService, IncomingDocument } from './documents.service';
import { documentDto, knowledgeDto } from './knowledge.dto';
import { documentSchema, knowledgeSchema, uploadResultSchema } from './knowledge.responses';
import {
  documentParams,
  knowledgeParams,
  listDocumentsQuery,
  listKnowledgeQuery,
  replaceForm,
  replaceTextBody,
  uploadForm,
  uploadTextBody,
  UPLOAD_SOURCES,
  type ReplaceTextBody,
  type UploadTextBody,
} from './knowledge.schemas';
import type { KnowledgeService } from './knowledge.service';
import { checkedDocuments, readMultipartUpload } from './upload.parser';
import { uploadInvalid } from './knowledge-api.errors';

const UPLOAD_NOTE = `multipart files (txt, md, html, json, csv, pdf, docx; ${KNOWLEDGE_LIMITS.maxDocumentBytes / 1024 / 1024} MiB each, ${KNOWLEDGE_LIMITS.maxDocumentsPerUpload} files and ${KNOWLEDGE_LIMITS.maxUploadBytes / 1024 / 1024} MiB in all, else 413 upload_too_large) or JSON text documents; a document whose bytes the knowledge holds already is skipped`;

export const knowledgeRoutes = defineRoutes({
  create: {
    method: 'post',
    path: '/v1/knowledge',
    summary: 'Create a knowledge base',
    note: 'high-quality names a model provider of the workspace (the first one when omitted), else 422 embedding_provider_not_found',
    request: { body: createKnowledgeSchema },
    responses: { 201: data(knowledgeSchema, 'Created') },
    errors: [...BODY_ERRORS, 403, 409, 422],
  },
  list: {
    method: 'get',
    path: '/v1/knowledge',
    summary: 'List knowledge bases',
    request: { query: listKnowledgeQuery },
    responses: { 200: list(knowledgeSchema, 'A page of knowledge bases') },
    errors: READ_ERRORS,
  },
  get: {
    method: 'get',
    path: '/v1/knowledge/:id',
    summary: 'Read a knowledge base',
    request: { params: knowledgeParams },
    responses: { 200: data(knowledgeSchema, 'The knowledge base, with its documents counted by status') },
    errors: [...READ_ERRORS, 404],
  },
  delete: {
    method: 'delete',
    path: '/v1/knowledge/:id',
    summary: 'Delete a knowledge base with its documents, segments and vectors',
    note: 'refused with 409 knowledge_busy while one of its ingestion jobs is queued or running',
    request: { params: knowledgeParams },
    responses: { 200: data(z.object({ id: z.string(), deleted: z.literal(true) }), 'Deleted') },
    errors: [...READ_ERRORS, 403, 404, 409],
  },
  upload: {
    method: 'post',
    path: '/v1/knowledge/:id/documents',
    summary: 'Upload documents: they are stored and an ingestion job indexes them',
    note: UPLOAD_NOTE,
    request: { params: knowledgeParams, body: uploadTextBody },
    multipart: uploadForm,
    responses: {
      202: data(uploadResultSchema, 'Stored; the job indexes them (GET /v1/ingestion-jobs/:jobId, or its events)', ['Location']),
      200: data(uploadResultSchema, 'Nothing new: every document was there already (jobId null)'),
    },
    errors: [...BODY_ERRORS, 403, 404, 422],
  },
  listDocuments: {
    method: 'get',
    path: '/v1/knowledge/:id/documents',
    summary: 'List the documents of a knowledge base with their indexing status',
    request: { params: knowledgeParams, query: listDocumentsQuery },
    responses: { 200: list(documentSchema, 'A page of documents') },
    errors: [...READ_ERRORS, 404],
  },
  getDocument: {
    method: 'get',
    path: '/v1/knowledge/:id/documents/:docId',
    summary: 'Read a document',
    request: { params: documentParams },
    responses: { 200: data(documentSchema, 'The document') },
    errors: [...READ_ERRORS, 404],
  },
  replaceDocument: {
    method: 'put',
    path: '/v1/knowledge/:id/documents/:docId',
    summary: 'Replace the content of a document that failed; a retry of its job indexes the new content',
    note: 'one multipart file or JSON {name?, text}; 409 document_state_conflict unless the document is in error',
    request: { params: documentParams, body: replaceTextBody },
    multipart: replaceForm,
    responses: { 200: data(documentSchema, 'The document with its new content (still error until its job is retried)') },
    errors: [...BODY_ERRORS, 403, 404, 409, 422],
  },
  deleteDocument: {
    method: 'delete',
    path: '/v1/knowledge/:id/documents/:docId',
    summary: 'Delete a document with its segments and vectors',
    note: 'also while it is being indexed: its job skips it',
    request: { params: documentParams },
    responses: { 200: data(z.object({ id: z.string(), deleted: z.literal(true) }), 'Deleted') },
    errors: [...READ_ERRORS, 403, 404],
  },
});

/** The documents of an upload, multipart or JSON, checked (422 with every problem). */
async function incomingDocuments(req: Request, body: UploadTextBody | undefined): Promise<IncomingDocument[]> {
  if (body) return checkedDocuments(body.documents.map((d) => ({ raw: d.name, bytes: Buffer.from(d.text, 'utf8') })), 'text', 'text', (i) => ['documents', i, 'name']);
  const form = await readMultipartUpload(req, KNOWLEDGE_LIMITS);
  const source = form.fields.source ?? 'upload';
  if (!(UPLOAD_SOURCES as readonly string[]).includes(source)) throw uploadInvalid([{ code: 'upload_field_invalid', message: `source is one of ${UPLOAD_SOURCES.join(', ')}`, path: ['source'] }]);
  return checkedDocuments(form.files.map((f) => ({ raw: f.filename, bytes: f.bytes, mimeType: f.mimeType })), 'file', source, (i) => ['files', i]);
}

/** The one document of a replacement. */
async function replacement(req: Request, body: ReplaceTextBody | undefined, currentName: string): Promise<IncomingDocument> {
  if (body) return checkedDocuments([{ raw: body.name ?? currentName, bytes: Buffer.from(body.text, 'utf8') }], 'text', 'text', () => ['name'])[0]!;
  const form = await readMultipartUpload(req, { ...KNOWLEDGE_LIMITS, maxDocumentsPerUpload: 1, maxUploadBytes: KNOWLEDGE_LIMITS.maxDocumentBytes });
  if (form.fields.source !== undefined) throw uploadInvalid([{ code: 'upload_field_unknown', message: 'a replacement is one file', path: ['source'] }]);
  return checkedDocuments(form.files.map((f) => ({ raw: f.filename, bytes: f.bytes, mimeType: f.mimeType })), 'file', 'upload', () => ['file'])[0]!;
}

export function knowledgeRouter(knowledge: KnowledgeService, documents: DocumentsService): Router {
  return bindRoutes(knowledgeRoutes, {
    create: async (req, res, { body }) => {
      const created = await knowledge.create(req.auth.tenantId, body, auditContext(req));
      sendData(req, res, knowledgeDto(created, { total: 0, completed: 0, error: 0, inProgress: 0 }), 201);
    },

    list: async (req, res, { query }) => {
      const { skip, take, orderBy } = pageWindow(query);
      const { items, total } = await knowledge.list(req.auth.tenantId, { skip, take, order: orderBy.createdAt }, query);
      const counts = await knowledge.documentCounts(req.auth.tenantId, items.map((k) => k.id));
      sendList(req, res, items.map((k) => knowledgeDto(k, counts.get(k.id)!)), { page: query.page, limit: query.limit, total });
    },

    get: async (req, res, { params }) => {
      const found = await knowledge.find(req.auth.tenantId, params.id);
      const counts = await knowledge.documentCounts(found.tenantId, [found.id]);
      sendData(req, res, knowledgeDto(found, counts.get(found.id)!));
    },

    delete: async (req, res, { params }) => {
      await knowledge.delete(await knowledge.find(req.auth.tenantId, params.id), auditContext(req));
      sendData(req, res, { id: params.id, deleted: true as const });
    },

    upload: async (req, res, { params, body }) => {
      // The knowledge first: another tenant's id is 404 before a byte of the upload is read.
      const found = await knowledge.find(req.auth.tenantId, params.id);
      const stored = await documents.upload(found, await incomingDocuments(req, body), auditContext(req));
      if (stored.jobId) res.setHeader('Location', `/v1/ingestion-jobs/${stored.jobId}`);
      sendData(req, res, stored, stored.jobId ? 202 : 200);
    },

    listDocuments: async (req, res, { params, query }) => {
      const found = await knowledge.find(req.auth.tenantId, params.id);
      const { skip, take, orderBy } = pageWindow(query);
      const { items, total } = await documents.list(found, { skip, take, order: orderBy.createdAt }, query);
      sendList(req, res, items.map(documentDto), { page: query.page, limit: query.limit, total });
    },

    getDocument: async (req, res, { params }) => {
      const found = await knowledge.find(req.auth.tenantId, params.id);
      sendData(req, res, documentDto(await documents.find(found, params.docId)));
    },

    replaceDocument: async (req, res, { params, body }) => {
      const found = await knowledge.find(req.auth.tenantId, params.id);
      const doc = await documents.find(found, params.docId);
      sendData(req, res, documentDto(await documents.replace(found, doc, await replacement(req, body, doc.name), auditContext(req))));
    },

    deleteDocument: async (req, res, { params }) => {
      const found = await knowledge.find(req.auth.tenantId, params.id);
      await documents.delete(found, await documents.find(found, params.docId), auditContext(req));
      sendData(req, res, { id: params.docId, deleted: true as const });
    },
  });
}
