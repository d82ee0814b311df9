import type { Request, Router } from 'express';
import type { ApprovalActor } from '@weft/domain';
import { sendData, sendList } from '../http/envelope';
import { BODY_ERRORS, READ_ERRORS, bindRoutes, data, defineRoutes, list } from '../http/route';
import { approvalDto } from './approvals.dto';
import { approvalSchema } from './approvals.responses';
import { approvalParams, decideBody, listApprovalsQuery, runNodeApprovalParams } from './approvals.schemas';
import type { ApprovalsService } from './approvals.service';

const DECIDE_NOTE = "and a role in the approval's allowedRoles when it names some (else 403 approval_role_forbidden)";

export const approvalRoutes = defineRoutes({
  list: {
    method: 'get',
    path: '/v1/approvals',
    summary: 'List approvals',
    request: { query: listApprovalsQuery },
    responses: { 200: list(approvalSchema, 'A page of approvals, newest first unless sort=requested_at') },
    errors: READ_ERRORS,
  },
  get: {
    method: 'get',
    path: '/v1/approvals/:id',
    summary: 'Read an approval',
    request: { params: approvalParams },
    responses: { 200: data(approvalSchema, 'The approval') },
    errors: [...READ_ERRORS, 404],
  },
  decide: {
    method: 'post',
    path: '/v1/approvals/:id',
    summary: 'Decide an approval',
    note: DECIDE_NOTE,
    request: { params: approvalParams, body: decideBody },
    responses: { 200: data(approvalSchema, 'The decided approval; the run goes on along the chosen action') },
    errors: [...BODY_ERRORS, 403, 404, 409, 422],
  },
  decideAtNode: {
    method: 'post',
    path: '/v1/runs/:id/approvals/:nodeId',
    summary: "Decide a run's open approval at a node",
    note: `${DECIDE_NOTE}; several open approvals at the node: 409 approval_ambiguous with details.candidates`,
    request: { params: runNodeApprovalParams, body: decideBody },
    responses: { 200: data(approvalSchema, 'The decided approval') },
    errors: [...BODY_ERRORS, 403, 404, 409, 422],
  },
});

/** Who decides: the API key or the account of the request, with its role in the workspace. */
const callerActor = (req: Request): ApprovalActor => ({ kind: req.auth.principal.type === 'api_key' ? 'api-key' : 'account', id: req.auth.principal.id, role: req.auth.role });

export function approvalsRouter(service: ApprovalsService): Router {
  return bindRoutes(approvalRoutes, {
    list: async (req, res, { query }) => {
      const { page, limit, sort, ...filters } = query;
      const window = { skip: (page - 1) * limit, take: limit, order: sort === 'requested_at' ? ('asc' as const) : ('desc' as const) };
      const { items, total } = await service.list(req.auth.tenantId, window, filters);
      sendList(req, res, items.map(approvalDto), { page, limit, total });
    },

    get: async (req, res, { params }) => {
      sendData(req, res, approvalDto(await service.get(req.auth.tenantId, params.id)));
    },

    decide: async (req, res, { params, body }) => {
      const row = await service.get(req.auth.tenantId, params.id);
      sendData(req, res, approvalDto(await service.decide(row, body, callerActor(req), req.id)));
    },

    decideAtNode: async (req, res, { params, body }) => {
      const row = await service.pendingAtNode(req.auth.tenantId, params.id, params.nodeId);
      sendData(req, res, approvalDto(await service.decide(row, body, callerActor(req), req.id)));
    },
  });
}
