import { z } from 'zod';
import { DEFAULT_HANDLE } from '../../dsl/graph.schema';
import { defineNodeType } from '../node-type';

export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const;

export const httpAuthSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('none') }).strict(),
  z.object({ type: z.literal('bearer'), token: z.string() }).strict(),
  z.object({ type: z.literal('basic'), username: z.string(), password: z.string() }).strict(),
]);

export const httpBodySchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('json'), content: z.unknown() }).strict(),
  z.object({ type: z.literal('form'), content: z.record(z.string(), z.unknown()) }).strict(),
  z.object({ type: z.literal('text'), content: z.string() }).strict(),
]);

export const httpRequestDataSchema = z
  .object({
    method: z.enum(HTTP_METHODS).default('GET'),
    url: z.string().min(1),
    headers: z.record(z.string(), z.string()).default({}),
    query: z.record(z.string(), z.unknown()).default({}),
    body: httpBodySchema.optional(),
    auth: httpAuthSchema.default({ type: 'none' }),
    /** responses larger than this fail the node; at most 10 MiB */
    maxResponseBytes: z.number().int().positive().max(10 * 1024 * 1024).optional(),
  })
  .strict();
export type HttpRequestData = z.infer<typeof httpRequestDataSchema>;

export const httpRequestNode = defineNodeType({
  type: 'http-request',
  version: 1,
  dataSchema: httpRequestDataSchema,
  outputs: () => ['status', 'headers', 'body', 'json'],
  handles: () => [DEFAULT_HANDLE],
  effect: { kind: 'activity', activity: 'nodeHttpRequest', timeout: '60s', maxAttempts: 3 },
});
