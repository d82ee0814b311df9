import { randomUUID } from 'node:crypto';
import type { Router } from 'express';
import { z } from 'zod';
import { Prisma, baseUrlProblem, type PrismaClient, type SecretCipher } from '@weft/activities';
import { ConflictError, ValidationFailedError } from '@weft/domain';
import { auditContext, type AuditLog } from '../audit/audit-log';
import { timestamp } from '../http/dto-fields';
import { sendData, sendList } from '../http/envelope';
import { BODY_ERRORS, READ_ERRORS, bindRoutes, data, defineRoutes, list } from '../http/route';

export const createProviderBody = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, '1 to 64 letters, digits, _ . or -'),
    type: z.literal('openai'),
    // What Weft will call (http(s), no credentials, no fragment) is checked in the handler: 422.
    baseUrl: z.string().max(2048).url().optional(),
    apiKey: z.string().min(1).max(4096),
  })
  .strict();

/** A model provider as the API shows it: never its key. */
export const modelProviderSchema = z.object({
  id: z.string(),
  name: z.string(),
  type: z.string().meta({ enum: ['openai'] }),
  baseUrl: z.string().nullable(),
  createdAt: timestamp,
});
export type ModelProviderDto = z.infer<typeof modelProviderSchema>;

const dto = (p: { id: string; name: string; type: string; baseUrl: string | null; createdAt: Date }): ModelProviderDto => ({
  id: p.id,
  name: p.name,
  type: p.type,
  baseUrl: p.baseUrl,
  createdAt: p.createdAt.toISOString(),
});

/** Model providers per tenant. Tenant admins set base URLs; the key is stored encrypted, never returned. */
export const modelProviderRoutes = defineRoutes({
  create: {
    method: 'post',
    path: '/v1/model-providers',
    summary: 'Add a model provider',
    note: 'the key is stored encrypted, never returned',
    request: { body: createProviderBody },
    responses: { 201: data(modelProviderSchema, 'Added') },
    errors: [...BODY_ERRORS, 403, 409],
  },
  list: {
    method: 'get',
    path: '/v1/model-providers',
    summary: 'List model providers',
    responses: { 200: list(modelProviderSchema, 'Every model provider of the tenant') },
    errors: READ_ERRORS,
  },
});

export function modelProvidersRouter(prisma: PrismaClient, cipher: SecretCipher, audit: AuditLog): Router {
  return bindRoutes(modelProviderRoutes, {
    create: async (req, res, { body }) => {
      const problem = body.baseUrl === undefined ? undefined : baseUrlProblem(body.baseUrl);
      if (problem) {
        const message = `baseUrl ${problem}`;
        throw new ValidationFailedError('model_provider_base_url_invalid', message, [{ code: 'model_provider_base_url_invalid', message, path: ['baseUrl'] }]);
      }
      try {
        // The audit entry: name, type and base URL; never the key.
        const created = await audit.change(async (tx) => {
          const provider = await tx.modelProvider.create({
            data: {
              id: `mp_${randomUUID().replace(/-/g, '')}`,
              tenantId: req.auth.tenantId,
              name: body.name,
              type: body.type,
              baseUrl: body.baseUrl ?? null,
              apiKeyEncrypted: cipher.encrypt(body.apiKey),
            },
          });
          const after = { name: provider.name, type: provider.type, baseUrl: provider.baseUrl };
          return { result: provider, entry: { ...auditContext(req), action: 'model_provider.create', objectType: 'model_provider', objectId: provider.id, after } };
        });
        sendData(req, res, dto(created), 201);
      } catch (err) {
        if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002') {
          throw new ConflictError('model_provider_exists', `A model provider named '${body.name}' already exists`);
        }
        throw err;
      }
    },
    list: async (req, res) => {
      const items = await prisma.modelProvider.findMany({ where: { tenantId: req.auth.tenantId }, orderBy: { createdAt: 'asc' } });
      sendList(req, res, items.map(dto), { page: 1, limit: Math.max(items.length, 1), total: items.length });
    },
  });
}
