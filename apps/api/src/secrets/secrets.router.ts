import type { Router } from 'express';
import { z } from 'zod';
import type { SecretsStore } from '@weft/activities';
import { auditContext, type AuditLog } from '../audit/audit-log';
import { sendData, sendList } from '../http/envelope';
import { timestamp } from '../http/dto-fields';
import { BODY_ERRORS, READ_ERRORS, bindRoutes, data, defineRoutes, list } from '../http/route';

export const secretParams = z.object({ name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, 'a secret name is a letter or _ then letters, digits or _') });
export const putSecretBody = z.object({ value: z.string().min(1).max(64 * 1024) }).strict();

/** A secret as the API shows it: its name and times, never its value. */
export const secretSchema = z.object({ name: z.string(), createdAt: timestamp, updatedAt: timestamp });
export type SecretDto = z.infer<typeof secretSchema>;

const secretDto = (s: { name: string; createdAt: Date; updatedAt: Date }): SecretDto => ({
  name: s.name,
  createdAt: s.createdAt.toISOString(),
  updatedAt: s.updatedAt.toISOString(),
});

export const secretRoutes = defineRoutes({
  put: {
    method: 'put',
    path: '/v1/secrets/:name',
    summary: 'Set a tenant secret',
    note: 'write-only',
    request: { params: secretParams, body: putSecretBody },
    responses: { 200: data(secretSchema, 'Stored') },
    errors: [...BODY_ERRORS, 403],
  },
  list: {
    method: 'get',
    path: '/v1/secrets',
    summary: 'List secret names',
    responses: { 200: list(secretSchema, 'Every secret of the tenant, without values') },
    errors: READ_ERRORS,
  },
});

/** Write-only secrets: a value goes in and never comes back out of the API. */
export function secretsRouter(store: SecretsStore, audit: AuditLog): Router {
  return bindRoutes(secretRoutes, {
    put: async (req, res, { params, body }) => {
      // The audit entry names the secret and says whether it was there before; never its value.
      const s = await audit.change(async (tx) => {
        const stored = await store.put(req.auth.tenantId, params.name, body.value, tx);
        const entry = { ...auditContext(req), action: 'secret.put', objectType: 'secret', objectId: stored.name, before: { existed: stored.existed }, after: { name: stored.name, existed: true } };
        return { result: stored, entry };
      });
      sendData(req, res, secretDto(s));
    },
    list: async (req, res) => {
      const items = (await store.list(req.auth.tenantId)).map(secretDto);
      sendList(req, res, items, { page: 1, limit: Math.max(items.length, 1), total: items.length });
    },
  });
}
