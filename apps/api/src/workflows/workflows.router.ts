import type { Router } from 'express';
import { auditContext } from '../audit/audit-log';
import { sendData, sendList } from '../http/envelope';
import { pageWindow } from '../http/pagination';
import { BODY_ERRORS, READ_ERRORS, bindRoutes, data, defineRoutes, list } from '../http/route';
import { validationResultSchema, versionDto, workflowDto, workflowSchema, workflowVersionSchema, type ValidationResultDto } from './workflows.dto';
import {
  createWorkflowBody,
  listVersionsQuery,
  listWorkflowsQuery,
  replaceDraftBody,
  validateBody,
  versionParams,
  workflowParams,
} from './workflows.schemas';
import type { WorkflowsService } from './workflows.service';

export const workflowRoutes = defineRoutes({
  create: {
    method: 'post',
    path: '/v1/workflows',
    summary: 'Create a workflow',
    request: { body: createWorkflowBody },
    responses: { 201: data(workflowSchema, 'Created', ['Location']) },
    errors: [...BODY_ERRORS, 403, 422],
  },
  list: {
    method: 'get',
    path: '/v1/workflows',
    summary: 'List workflows (`name` matches a part of the name, case-insensitively)',
    request: { query: listWorkflowsQuery },
    responses: { 200: list(workflowSchema, 'A page of workflows') },
    errors: READ_ERRORS,
  },
  get: {
    method: 'get',
    path: '/v1/workflows/:id',
    summary: 'Read a workflow',
    request: { params: workflowParams },
    responses: { 200: data(workflowSchema, 'The workflow') },
    errors: [...READ_ERRORS, 404],
  },
  replaceDraft: {
    method: 'put',
    path: '/v1/workflows/:id/draft',
    summary: 'Replace the draft graph',
    request: { params: workflowParams, body: replaceDraftBody },
    responses: { 200: data(workflowSchema, 'Saved') },
    errors: [...BODY_ERRORS, 403, 404, 422],
  },
  validate: {
    method: 'post',
    path: '/v1/workflows/:id/validate',
    summary: 'Validate a graph (or the draft) without saving; 422 lists every problem',
    request: { params: workflowParams, body: validateBody },
    responses: { 200: data(validationResultSchema, 'The graph is valid') },
    errors: [...BODY_ERRORS, 404, 422],
  },
  publish: {
    method: 'post',
    path: '/v1/workflows/:id/publish',
    summary: 'Freeze the draft as the next immutable version',
    request: { params: workflowParams },
    responses: { 201: data(workflowVersionSchema, 'Published', ['Location']) },
    errors: [...READ_ERRORS, 403, 404, 409, 422],
  },
  listVersions: {
    method: 'get',
    path: '/v1/workflows/:id/versions',
    summary: 'List published versions',
    request: { params: workflowParams, query: listVersionsQuery },
    responses: { 200: list(workflowVersionSchema, 'A page of versions') },
    errors: [...READ_ERRORS, 404],
  },
  getVersion: {
    method: 'get',
    path: '/v1/workflows/:id/versions/:version',
    summary: 'Read a published version',
    request: { params: versionParams },
    responses: { 200: data(workflowVersionSchema, 'The version') },
    errors: [...READ_ERRORS, 404],
  },
});

export function workflowsRouter(service: WorkflowsService): Router {
  return bindRoutes(workflowRoutes, {
    create: async (req, res, { body }) => {
      const wf = await service.create(req.auth.tenantId, body, auditContext(req));
      res.setHeader('Location', `/v1/workflows/${wf.id}`);
      sendData(req, res, workflowDto(wf), 201);
    },
    list: async (req, res, { query }) => {
      const { items, total } = await service.list(req.auth.tenantId, pageWindow(query), query.name);
      sendList(req, res, items.map(workflowDto), { page: query.page, limit: query.limit, total });
    },
    get: async (req, res, { params }) => {
      sendData(req, res, workflowDto(await service.get(req.auth.tenantId, params.id)));
    },
    replaceDraft: async (req, res, { params, body }) => {
      sendData(req, res, workflowDto(await service.replaceDraft(req.auth.tenantId, params.id, body.graph, auditContext(req))));
    },
    validate: async (req, res, { params, body }) => {
      const graph = body?.graph ?? (await service.get(req.auth.tenantId, params.id)).draft;
      service.assertValid(graph);
      sendData(req, res, { valid: true, issues: [] } satisfies ValidationResultDto);
    },
    publish: async (req, res, { params }) => {
      const v = await service.publish(req.auth.tenantId, params.id, auditContext(req));
      res.setHeader('Location', `/v1/workflows/${params.id}/versions/${v.version}`);
      sendData(req, res, versionDto(v), 201);
    },
    listVersions: async (req, res, { params, query }) => {
      const { items, total } = await service.listVersions(req.auth.tenantId, params.id, pageWindow(query));
      sendList(req, res, items.map(versionDto), { page: query.page, limit: query.limit, total });
    },
    getVersion: async (req, res, { params }) => {
      sendData(req, res, versionDto(await service.getVersion(req.auth.tenantId, params.id, params.version)));
    },
  });
}
