import type { Router } from 'express';
import { auditContext } from '../audit/audit-log';
import { sendData, sendList } from '../http/envelope';
import { pageWindow } from '../http/pagination';
import { BODY_ERRORS, READ_ERRORS, bindRoutes, data, defineRoutes, list } from '../http/route';
import { apiKeySchema, newApiKeySchema } from './api-keys.dto';
import { createKeyBody, keyParams, listKeysQuery } from './api-keys.schemas';
import type { ApiKeysService, KeyCaller } from './api-keys.service';

export const apiKeyRoutes = defineRoutes({
  list: {
    method: 'get',
    path: '/v1/api-keys',
    summary: "List the workspace's API keys (never the keys themselves)",
    request: { query: listKeysQuery },
    responses: { 200: list(apiKeySchema, 'A page of keys') },
    errors: [...READ_ERRORS, 403],
  },
  create: {
    method: 'post',
    path: '/v1/api-keys',
    summary: 'Create an API key: the key is in this answer only',
    note: 'a role up to the caller’s own, scopes within the role’s (and within the calling key’s)',
    request: { body: createKeyBody },
    responses: { 201: data(newApiKeySchema, 'Created: keep the key, it is not shown again') },
    errors: [...BODY_ERRORS, 403, 422],
  },
  rotate: {
    method: 'post',
    path: '/v1/api-keys/:id/rotate',
    summary: 'Replace a key by a new one with the same name, role, scopes and expiry; the old one stops at once',
    note: 'a key up to the caller’s own role and scopes',
    request: { params: keyParams },
    responses: { 201: data(newApiKeySchema, 'The new key: keep it, it is not shown again') },
    errors: [...READ_ERRORS, 403, 404, 409],
  },
  revoke: {
    method: 'delete',
    path: '/v1/api-keys/:id',
    summary: 'Revoke a key: its next request fails, on every API process (idempotent: a revoked key is answered as it is)',
    note: 'a key up to the caller’s own role and scopes',
    request: { params: keyParams },
    responses: { 200: data(apiKeySchema, 'Revoked') },
    errors: [...READ_ERRORS, 403, 404],
  },
});

const callerOf = (req: Parameters<typeof auditContext>[0]): KeyCaller => {
  const { actor, requestId } = auditContext(req);
  return { auth: req.auth, actor, ...(requestId !== undefined ? { requestId } : {}) };
};

/** API keys managed over the API (api-keys.service.ts). */
export function apiKeysRouter(service: ApiKeysService): Router {
  return bindRoutes(apiKeyRoutes, {
    list: async (req, res, { query }) => {
      const { items, total } = await service.list(req.auth.tenantId, pageWindow(query), query.state);
      sendList(req, res, items, { page: query.page, limit: query.limit, total });
    },
    create: async (req, res, { body }) => {
      sendData(req, res, await service.create(callerOf(req), body), 201);
    },
    rotate: async (req, res, { params }) => {
      sendData(req, res, await service.rotate(callerOf(req), params.id), 201);
    },
    revoke: async (req, res, { params }) => {
      sendData(req, res, await service.revoke(callerOf(req), params.id));
    },
  });
}
