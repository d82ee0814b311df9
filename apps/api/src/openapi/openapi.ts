import type { z } from 'zod';
import { codesWithStatus } from '@weft/domain';
import { createWorkflowBody, listVersionsQuery, listWorkflowsQuery, replaceDraftBody, validateBody, versionParams, workflowParams } from '../workflows/workflows.schemas';
import { idempotencyKeyHeader, listNodesQuery, listRunsQuery, runParams, startRunBody, workflowRunParams } from '../runs/runs.schemas';
import { putSecretBody, secretParams } from '../secrets/secrets.router';
import { createProviderBody } from '../model-providers/model-providers.router';
import { componentSchemas, jsonSchema, ref, type ComponentName } from './components';

type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 503;

interface Success {
  description: string;
  /** `data`: the envelope around one item; `list`: around a page of items; `bare`: no envelope (health) */
  shape: 'data' | 'list' | 'bare';
  schema: ComponentName | 'object';
  headers?: ('Location' | 'Idempotent-Replayed')[];
}

interface RouteDoc {
  method: 'get' | 'post' | 'put';
  path: string;
  summary: string;
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: z.ZodType;
  headers?: { name: string; schema: z.ZodType; description: string }[];
  ok: Record<number, Success>;
  errors: ErrorStatus[];
  /** false: no API key (health probes, this document) */
  auth?: false;
}

/** What a body route can answer besides its own codes: malformed, unauthenticated, too large, unreadable, dependency down. */
const BODY = [400, 401, 413, 415, 503] as const;
const READ = [400, 401, 503] as const;

const one = (schema: ComponentName, description: string, headers?: Success['headers']): Success => ({ description, shape: 'data', schema, headers });
const page = (schema: ComponentName, description: string): Success => ({ description, shape: 'list', schema });

const ROUTES: RouteDoc[] = [
  { method: 'post', path: '/v1/workflows', summary: 'Create a workflow (developer, admin)', body: createWorkflowBody, ok: { 201: one('Workflow', 'Created', ['Location']) }, errors: [...BODY, 403, 422] },
  { method: 'get', path: '/v1/workflows', summary: 'List workflows (`name` matches a part of the name, case-insensitively)', query: listWorkflowsQuery, ok: { 200: page('Workflow', 'A page of workflows') }, errors: [...READ] },
  { method: 'get', path: '/v1/workflows/{id}', summary: 'Read a workflow', params: workflowParams, ok: { 200: one('Workflow', 'The workflow') }, errors: [...READ, 404] },
  { method: 'put', path: '/v1/workflows/{id}/draft', summary: 'Replace the draft graph (developer, admin)', params: workflowParams, body: replaceDraftBody, ok: { 200: one('Workflow', 'Saved') }, errors: [...BODY, 403, 404, 422] },
  { method: 'post', path: '/v1/workflows/{id}/validate', summary: 'Validate a graph (or the draft) without saving; 422 lists every problem', params: workflowParams, body: validateBody, ok: { 200: one('ValidationResult', 'The graph is valid') }, errors: [...BODY, 404, 422] },
  { method: 'post', path: '/v1/workflows/{id}/publish', summary: 'Freeze the draft as the next immutable version (developer, admin)', params: workflowParams, ok: { 201: one('WorkflowVersion', 'Published', ['Location']) }, errors: [...READ, 403, 404, 409, 422] },
  { method: 'get', path: '/v1/workflows/{id}/versions', summary: 'List published versions', params: workflowParams, query: listVersionsQuery, ok: { 200: page('WorkflowVersion', 'A page of versions') }, errors: [...READ, 404] },
  { method: 'get', path: '/v1/workflows/{id}/versions/{version}', summary: 'Read a published version', params: versionParams, ok: { 200: one('WorkflowVersion', 'The version') }, errors: [...READ, 404] },
  {
    method: 'post',
    path: '/v1/workflows/{id}/runs',
    summary: 'Start a run (operator, developer, admin; `version: "draft"` needs developer or admin)',
    params: workflowRunParams,
    body: startRunBody,
    headers: [{ name: 'Idempotency-Key', schema: idempotencyKeyHeader, description: 'A repeat of the same request returns the first run; the same key with a different request is 422 idempotency_key_reused' }],
    ok: {
      200: one('Run', 'Blocking mode: the run ended within timeoutMs', ['Location', 'Idempotent-Replayed']),
      202: one('Run', 'Async mode, or blocking mode when the run did not end within timeoutMs: it goes on; poll Location', ['Location', 'Idempotent-Replayed']),
    },
    errors: [...BODY, 403, 404, 409, 422],
  },
  { method: 'get', path: '/v1/runs', summary: 'List runs', query: listRunsQuery, ok: { 200: page('Run', 'A page of runs') }, errors: [...READ] },
  { method: 'get', path: '/v1/runs/{id}', summary: 'Read a run', params: runParams, ok: { 200: one('Run', 'The run') }, errors: [...READ, 404] },
  { method: 'get', path: '/v1/runs/{id}/nodes', summary: 'Node executions of a run, in order, with every attempt', params: runParams, query: listNodesQuery, ok: { 200: page('NodeExecution', 'A page of node executions') }, errors: [...READ, 404] },
  { method: 'put', path: '/v1/secrets/{name}', summary: 'Set a tenant secret (write-only; developer, admin)', params: secretParams, body: putSecretBody, ok: { 200: one('Secret', 'Stored') }, errors: [...BODY, 403] },
  { method: 'get', path: '/v1/secrets', summary: 'List secret names', ok: { 200: page('Secret', 'Every secret of the tenant, without values') }, errors: [...READ] },
  { method: 'post', path: '/v1/model-providers', summary: 'Add a model provider (admin; the key is stored encrypted, never returned)', body: createProviderBody, ok: { 201: one('ModelProvider', 'Added') }, errors: [...BODY, 403, 409] },
  { method: 'get', path: '/v1/model-providers', summary: 'List model providers', ok: { 200: page('ModelProvider', 'Every model provider of the tenant') }, errors: [...READ] },
  { method: 'get', path: '/health/live', summary: 'Liveness probe', auth: false, ok: { 200: { description: 'The process serves requests', shape: 'bare', schema: 'HealthLive' } }, errors: [] },
  {
    method: 'get',
    path: '/health/ready',
    summary: 'Readiness probe: PostgreSQL, Redis, Temporal',
    auth: false,
    ok: { 200: { description: 'Every dependency is up', shape: 'bare', schema: 'HealthReady' }, 503: { description: 'A dependency is down: `down` names it', shape: 'bare', schema: 'HealthReady' } },
    errors: [],
  },
  { method: 'get', path: '/v1/openapi.json', summary: 'This document', auth: false, ok: { 200: { description: 'The OpenAPI 3.1 document', shape: 'bare', schema: 'object' } }, errors: [] },
];

const ERROR_TEXT: Record<ErrorStatus, string> = {
  400: 'Malformed request: bad JSON, a body, query or path that does not fit (details.issues), text PostgreSQL cannot store, nesting too deep, a __proto__ key, a body that is not in its Content-Encoding; details.path says where',
  401: 'No API key, or not a valid one',
  403: "The key's role does not allow this",
  404: 'Not found, or it belongs to another tenant',
  409: 'The state does not allow it',
  413: 'The body is larger than WEFT_MAX_BODY_BYTES',
  415: 'A Content-Encoding or charset the API does not read',
  422: 'Well-formed but invalid: a graph, run inputs, an unknown sub-workflow, a reused Idempotency-Key; every problem in details.issues',
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
};

function bodySchema(ok: Success): Record<string, unknown> {
  if (ok.schema === 'object') return { type: 'object' };
  if (ok.shape === 'bare') return ref(ok.schema);
  const envelope = { code: { type: 'string', const: 'success' }, meta: ref('Meta') };
  return ok.shape === 'data'
    ? { type: 'object', required: ['code', 'data', 'meta'], properties: { ...envelope, data: ref(ok.schema) }, additionalProperties: false }
    : {
        type: 'object',
        required: ['code', 'data', 'meta', 'pagination'],
        properties: { ...envelope, data: { type: 'array', items: ref(ok.schema) }, pagination: ref('Pagination') },
        additionalProperties: false,
      };
}

const json = (schema: unknown) => ({ 'application/json': { schema } });
const optional = (schema: z.ZodType) => schema.safeParse(undefined).success;

function operation(route: RouteDoc): Record<string, unknown> {
  const parameters = [
    ...Object.entries(route.params?.shape ?? {}).map(([name, s]) => ({ name, in: 'path', required: true, schema: jsonSchema(s as z.ZodType, 'input') })),
    ...Object.entries(route.query?.shape ?? {}).map(([name, s]) => ({ name, in: 'query', required: !optional(s as z.ZodType), schema: jsonSchema(s as z.ZodType, 'input') })),
    ...(route.headers ?? []).map((h) => ({ name: h.name, in: 'header', required: false, description: h.description, schema: jsonSchema(h.schema, 'input') })),
  ];
  const responses: Record<string, unknown> = {};
  for (const [status, ok] of Object.entries(route.ok)) {
    const headers = Object.fromEntries(['X-Request-Id', ...(ok.headers ?? [])].map((h) => [h, HEADERS[h as keyof typeof HEADERS]]));
    responses[status] = { description: ok.description, headers, content: json(bodySchema(ok)) };
  }
  for (const status of route.auth === false ? [] : [...new Set(route.errors)].sort()) {
    responses[status] = { description: ERRORS[status], headers: { 'X-Request-Id': HEADERS['X-Request-Id'] }, content: json(ref('Error')) };
  }
  return {
    summary: route.summary,
    ...(route.auth === false ? { security: [] } : {}),
    parameters,
    ...(route.body ? { requestBody: { required: !optional(route.body), content: json(jsonSchema(route.body, 'input')) } } : {}),
    responses,
  };
}

/** The OpenAPI 3.1 document, generated from the zod schemas the routes validate with and the DTOs are typed by. */
export function buildOpenApiDocument(): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of ROUTES) (paths[route.path] ??= {})[route.method] = operation(route);
  return {
    openapi: '3.1.0',
    info: { title: 'Weft API', version: '1.0.0', description: 'Durable workflow orchestration for LLM applications' },
    servers: [{ url: '/' }],
    security: [{ apiKey: [] }],
    paths,
    components: {
      securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'An API key: sk-...' } },
      schemas: componentSchemas(),
    },
  };
}
