import type { Router } from 'express';
import { z } from 'zod';
import { ROLES, codesWithStatus } from '@weft/domain';
import { bare, bindRoutes, defineRoutes, roleList, type ErrorStatus, type ResponseDoc, type RouteDef } from '../http/route';
import { componentSchemas, jsonSchema, ref, responseSchema } from './components';
import { PERMISSIONS, type Permission } from '../auth/permissions';

/** What the document route answers; the document is written by `buildOpenApiDocument` below. */
const openApiDocumentSchema = z.looseObject({
  openapi: z.string(),
  info: z.looseObject({ title: z.string(), version: z.string() }),
  paths: z.record(z.string(), z.record(z.string(), z.unknown())),
  components: z.looseObject({}),
});

export const openapiRoutes = defineRoutes({
  document: {
    method: 'get',
    path: '/v1/openapi.json',
    summary: 'This document',
    responses: { 200: bare(openApiDocumentSchema, 'The OpenAPI 3.1 document') },
    errors: [],
  },
});

/** Serves the document; it is built once the app has mounted every route (see createApp). */
export function openapiRouter(document: () => Record<string, unknown>): Router {
  return bindRoutes(openapiRoutes, {
    document: (_req, res) => {
      res.json(document());
    },
  });
}

const ERROR_TEXT: Record<ErrorStatus, string> = {
  400: 'Malformed request: bad JSON, a body, query or path that does not fit (details.issues), text PostgreSQL cannot store, nesting too deep, a __proto__ key, a body that is not in its Content-Encoding; details.path says where',
  401: 'No API key, or not a valid one',
  403: "The key's role does not allow this",
  404: 'Not found, or it belongs to another tenant',
  409: 'The state does not allow it',
  410: 'It was there and is no longer: a form link already used or expired',
  413: 'The body is larger than WEFT_MAX_BODY_BYTES',
  415: 'A Content-Encoding or charset the API does not read',
  422: 'Well-formed but invalid: a graph, run inputs, an unknown sub-workflow, a reused Idempotency-Key; every problem in details.issues',
  429: "Too many requests for the API key (or account) or the workspace in the rate limit's window (rate_limited, with Retry-After), or a workspace quota reached where work starts (quota_exceeded, details: quota, limit, used; with Retry-After when waiting helps)",
  502: 'An upstream service failed: the model provider, while embedding a query (details.cause is its code)',
  503: 'A dependency is down',
};

// The codes of each status come from the error catalogue, the table the error middleware answers with.
const ERRORS = Object.fromEntries(
  Object.entries(ERROR_TEXT).map(([status, text]) => [status, `${text}. Codes: ${codesWithStatus(Number(status)).join(', ')}`]),
) as Record<ErrorStatus, string>;

const header = (description: string, required = true) => ({ description, required, schema: { type: 'string' } });
const HEADERS = {
  'X-Request-Id': header('The request id, also in the body (meta.request_id or request_id); sent back when the request carried a sane one'),
  Location: header('Where the created resource (or the started run) is'),
  'Idempotent-Replayed': header('"true" when this is the first run of a repeated Idempotency-Key', false),
  'Retry-After': header('Seconds to wait before trying again', false),
  // The rate limit headers (http/rate-limit.ts) of the tighter of the key's (or account's) and the workspace's limits; absent when no limit applies.
  'RateLimit-Limit': header("Requests allowed in the rate limit's window", false),
  'RateLimit-Remaining': header('Requests left in the current window', false),
  'RateLimit-Reset': header('Seconds until the current window ends', false),
};
const RATE_LIMIT_HEADERS = ['RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset'] as const;

function bodySchema(ok: ResponseDoc): Record<string, unknown> {
  const item = responseSchema(ok.schema);
  if (ok.shape === 'bare') return item;
  const envelope = { code: { type: 'string', const: 'success' }, meta: ref('Meta') };
  return ok.shape === 'data'
    ? { type: 'object', required: ['code', 'data', 'meta'], properties: { ...envelope, data: item }, additionalProperties: false }
    : {
        type: 'object',
        required: ['code', 'data', 'meta', 'pagination'],
        properties: { ...envelope, data: { type: 'array', items: item }, pagination: ref('Pagination') },
        additionalProperties: false,
      };
}

const json = (schema: unknown) => ({ 'application/json': { schema } });
/**
 * OpenAPI 3.1 has no schema for the items of a stream: the body is text, and the schema of each
 * event's `data` goes in `x-weft-event-data` (3.2's `itemSchema` says the same thing).
 */
const eventStream = (ok: ResponseDoc) => ({
  'text/event-stream': {
    schema: { type: 'string', description: 'Server-sent events: `id:` (monotonic per run), `event:` (the type) and `data:` (JSON), separated by blank lines' },
    'x-weft-event-data': responseSchema(ok.schema),
  },
});
const optional = (schema: z.ZodType) => schema.safeParse(undefined).success;
const shapeOf = (schema: z.ZodType | undefined): Record<string, z.ZodType> => (schema instanceof z.ZodObject ? (schema.shape as Record<string, z.ZodType>) : {});

/** `/v1/runs/:id` → `/v1/runs/{id}` */
export const openApiPath = (expressPath: string) => expressPath.replace(/:(\w+)/g, '{$1}');

/** The summary with who may call the route: no roles when every role may. */
function summaryOf(route: RouteDef): string {
  const { access } = route;
  const roles = typeof access === 'string' || ROLES.every((r) => access.roles.includes(r)) ? [] : [roleList(access.roles)];
  const said = [...roles, ...(route.note ? [route.note] : [])];
  return said.length ? `${route.summary} (${said.join('; ')})` : route.summary;
}

/** Who may call: the scheme (an API key or an access token by default) and, for a workspace route, its roles and scope. */
function securityOf(access: Permission): Record<string, unknown> {
  if (access === 'operator-token') return { security: [{ operatorToken: [] }] };
  if (access === 'account') return { security: [{ accessToken: [] }] };
  if (typeof access === 'string') return { security: [] };
  return { 'x-weft-roles': [...access.roles], 'x-weft-scope': access.scope };
}

function operation(route: RouteDef): Record<string, unknown> {
  const parameters = [
    ...Object.entries(shapeOf(route.request?.params)).map(([name, s]) => ({ name, in: 'path', required: true, schema: jsonSchema(s, 'input') })),
    ...Object.entries(shapeOf(route.request?.query)).map(([name, s]) => ({ name, in: 'query', required: !optional(s), schema: jsonSchema(s, 'input') })),
    ...(route.headers ?? []).map((h) => ({ name: h.name, in: 'header', required: false, description: h.description, schema: jsonSchema(h.schema, 'input') })),
  ];
  const responses: Record<string, unknown> = {};
  // Every route with credentials is rate limited (http/rate-limit.ts, mounted after the credential check): its 429 and headers are documented whatever its list says.
  const limited = route.access === 'account' || typeof route.access !== 'string';
  const rateHeaders = limited ? RATE_LIMIT_HEADERS : [];
  for (const [status, ok] of Object.entries(route.responses)) {
    const headers = Object.fromEntries(['X-Request-Id', ...(ok.headers ?? []), ...rateHeaders].map((h) => [h, HEADERS[h as keyof typeof HEADERS]]));
    const content = ok.shape === 'events' ? eventStream(ok) : ok.shape === 'text' ? { 'text/plain': { schema: responseSchema(ok.schema) } } : json(bodySchema(ok));
    responses[status] = { description: ok.description, headers, content };
  }
  for (const status of [...new Set([...route.errors, ...(limited ? [429 as const] : [])])].sort()) {
    const retry = (status === 503 && Object.values(route.responses).some((r) => r.shape === 'events')) || status === 429 ? { 'Retry-After': HEADERS['Retry-After'] } : {};
    const rate = Object.fromEntries(rateHeaders.map((h) => [h, HEADERS[h]]));
    responses[status] = { description: ERRORS[status], headers: { 'X-Request-Id': HEADERS['X-Request-Id'], ...retry, ...rate }, content: json(ref('Error')) };
  }
  const body = route.request?.body;
  const content = {
    ...(body ? json(jsonSchema(body, 'input')) : {}),
    ...(route.multipart ? { 'multipart/form-data': { schema: jsonSchema(route.multipart, 'input') } } : {}),
  };
  return {
    summary: summaryOf(route),
    ...securityOf(route.access),
    parameters,
    ...(body || route.multipart ? { requestBody: { required: route.multipart !== undefined || !optional(body!), content } } : {}),
    responses,
  };
}

function actionsOf(): Record<string, { roles: string[]; scope: string }> {
  return Object.fromEntries(
    Object.entries(PERMISSIONS).flatMap(([key, p]) => (key.startsWith('action:') && typeof p !== 'string' ? [[key, { roles: [...p.roles], scope: p.scope }]] : [])),
  );
}

/**
 * The OpenAPI 3.1 document of the routes the app serves (`mountedRoutes(app).declared`), generated
 * from their declarations: the zod schemas the routes validate with and the DTOs are typed by.
 */
export function buildOpenApiDocument(routes: readonly RouteDef[]): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const at = (paths[openApiPath(route.path)] ??= {});
    if (at[route.method]) throw new Error(`${route.method.toUpperCase()} ${route.path} is declared twice`);
    at[route.method] = operation(route);
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Weft API', version: '1.0.0', description: 'Durable workflow orchestration for LLM applications' },
    servers: [{ url: '/' }],
    security: [{ apiKey: [] }, { accessToken: [] }],
    paths,
    // What a handler checks inside a route (running the draft, removing another member) has no
    // operation of its own: its roles are here, so that a client can show a control only when allowed.
    'x-weft-actions': actionsOf(),
    components: {
      securitySchemes: {
        apiKey: { type: 'http', scheme: 'bearer', description: 'An API key: sk-...' },
        accessToken: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: "An account's access token (POST /v1/auth/sign-in); the workspace from X-Workspace-Id or the token's claim" },
        operatorToken: { type: 'http', scheme: 'bearer', description: 'The operator token of the codec endpoint (WEFT_CODEC_TOKEN); an API key is refused' },
      },
      schemas: componentSchemas(),
    },
  };
}
