import { Router } from 'express';
import { CAN, requireRole } from '../auth/auth.middleware';
import { sendData, sendList } from '../http/envelope';
import { handle } from '../http/handle';
import { pageWindow } from '../http/pagination';
import { versionDto, workflowDto, type ValidationResultDto } from './workflows.dto';
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

export function workflowsRouter(service: WorkflowsService): Router {
  const r = Router();
  const edit = requireRole(...CAN.editWorkflows);

  r.post('/', edit, handle({ body: createWorkflowBody }, async (req, res, { body }) => {
    const wf = await service.create(req.auth.tenantId, body);
    res.setHeader('Location', `/v1/workflows/${wf.id}`);
    sendData(req, res, workflowDto(wf), 201);
  }));

  r.get('/', handle({ query: listWorkflowsQuery }, async (req, res, { query }) => {
    const { items, total } = await service.list(req.auth.tenantId, pageWindow(query), query.name);
    sendList(req, res, items.map(workflowDto), { page: query.page, limit: query.limit, total });
  }));

  r.get('/:id', handle({ params: workflowParams }, async (req, res, { params }) => {
    sendData(req, res, workflowDto(await service.get(req.auth.tenantId, params.id)));
  }));

  r.put('/:id/draft', edit, handle({ params: workflowParams, body: replaceDraftBody }, async (req, res, { params, body }) => {
    sendData(req, res, workflowDto(await service.replaceDraft(req.auth.tenantId, params.id, body.graph)));
  }));

  r.post('/:id/validate', handle({ params: workflowParams, body: validateBody }, async (req, res, { params, body }) => {
    const graph = body?.graph ?? (await service.get(req.auth.tenantId, params.id)).draft;
    service.assertValid(graph);
    sendData(req, res, { valid: true, issues: [] } satisfies ValidationResultDto);
  }));

  r.post('/:id/publish', edit, handle({ params: workflowParams }, async (req, res, { params }) => {
    const v = await service.publish(req.auth.tenantId, params.id);
    res.setHeader('Location', `/v1/workflows/${params.id}/versions/${v.version}`);
    sendData(req, res, versionDto(v), 201);
  }));

  r.get('/:id/versions', handle({ params: workflowParams, query: listVersionsQuery }, async (req, res, { params, query }) => {
    const { items, total } = await service.listVersions(req.auth.tenantId, params.id, pageWindow(query));
    sendList(req, res, items.map(versionDto), { page: query.page, limit: query.limit, total });
  }));

  r.get('/:id/versions/:version', handle({ params: versionParams }, async (req, res, { params }) => {
    sendData(req, res, versionDto(await service.getVersion(req.auth.tenantId, params.id, params.version)));
  }));

  return r;
}
