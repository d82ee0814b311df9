import { Router } from 'express';
import { z } from 'zod';
import type { SecretsStore } from '@weft/activities';
import { CAN, requireRole } from '../auth/auth.middleware';
import { sendData, sendList } from '../http/envelope';
import { handle } from '../http/handle';
import { timestamp } from '../http/dto-fields';

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

/** Write-only secrets: a value goes in and never comes back out of the API. */
export function secretsRouter(store: SecretsStore): Router {
  const r = Router();
  r.put('/:name', requireRole(...CAN.editWorkflows), handle({ params: secretParams, body: putSecretBody }, async (req, res, { params, body }) => {
    const s = await store.put(req.auth.tenantId, params.name, body.value);
    sendData(req, res, secretDto(s));
  }));
  r.get('/', handle({}, async (req, res) => {
    const items = (await store.list(req.auth.tenantId)).map(secretDto);
    sendList(req, res, items, { page: 1, limit: Math.max(items.length, 1), total: items.length });
  }));
  return r;
}
