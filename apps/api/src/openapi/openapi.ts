import { z } from 'zod';
import { graphSchema } from '@weft/domain';
import { createWorkflowBody, listVersionsQuery, listWorkflowsQuery, replaceDraftBody, validateBody } from '../workflows/workflows.schemas';
import { listNodesQuery, listRunsQuery, startRunBody } from '../runs/runs.schemas';
import { putSecretBody } from '../secrets/secrets.router';
import { createProviderBody } from '../model-providers/model-providers.router';

interface RouteDoc {
  method: 'get' | 'post' | 'put' | 'delete';
  path: string;
  summary: string;
  body?: z.ZodType;
  query?: z.ZodObject;
  success: number;
  auth?: boolean;
}

const ROUTES: RouteDoc[] = [
  { method: 'post', path: '/v1/workflows', summary: 'Create a workflow', body: createWorkflowBody, success: 201 },
  { method: 'get', path: '/v1/workflows', summary: 'List workflows', query: listWorkflowsQuery, success: 200 },
  { method: 'get', path: '/v1/workflows/{id}', summary: 'Read a workflow', success: 200 },
  { method: 'put', path: '/v1/workflows/{id}/draft', summary: 'Replace the draft graph', body: replaceDraftBody, success: 200 },
  { method: 'post', path: '/v1/workflows/{id}/validate', summary: 'Validate a graph (or the draft) without saving', body: validateBody, success: 200 },
  { method: 'post', path: '/v1/workflows/{id}/publish', summary: 'Freeze the draft as the next version', success: 201 },
  { method: 'get', path: '/v1/workflows/{id}/versions', summary: 'List published versions', query: listVersionsQuery, success: 200 },
  { method: 'get', path: '/v1/workflows/{id}/versions/{version}', summary: 'Read a published version', success: 200 },
  { method: 'post', path: '/v1/workflows/{id}/runs', summary: 'Start a run (async: 202; blocking: 200 when it ended in time)', body: startRunBody, success: 202 },
  { method: 'get', path: '/v1/runs', summary: 'List runs', query: listRunsQuery, success: 200 },
  { method: 'get', path: '/v1/runs/{id}', summary: 'Read a run', success: 200 },
  { method: 'get', path: '/v1/runs/{id}/nodes', summary: 'Node executions of a run, in order, with every attempt', query: listNodesQuery, success: 200 },
  { method: 'put', path: '/v1/secrets/{name}', summary: 'Set a tenant secret (write-only)', body: putSecretBody, success: 200 },
  { method: 'get', path: '/v1/secrets', summary: 'List secret names', success: 200 },
  { method: 'post', path: '/v1/model-providers', summary: 'Add a model provider (the key is stored encrypted, never returned)', body: createProviderBody, success: 201 },
  { method: 'get', path: '/v1/model-providers', summary: 'List model providers', success: 200 },
  { method: 'get', path: '/health/live', summary: 'Liveness probe', success: 200, auth: false },
  { method: 'get', path: '/health/ready', summary: 'Readiness probe: PostgreSQL, Redis, Temporal', success: 200, auth: false },
];

const jsonSchema = (schema: z.ZodType) => z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });

const errorResponse = { description: 'Error', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };

/** The OpenAPI 3.1 document, generated from the zod schemas the routes validate with. */
export function buildOpenApiDocument(): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of ROUTES) {
    const params = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
    const query = route.query
      ? Object.entries(route.query.shape).map(([name, s]) => ({ name, in: 'query', required: false, schema: jsonSchema(s as z.ZodType) }))
      : [];
    paths[route.path] ??= {};
    paths[route.path]![route.method] = {
      summary: route.summary,
      ...(route.auth === false ? { security: [] } : {}),
      parameters: [...params, ...query],
      ...(route.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(route.body) } } } } : {}),
      responses: {
        [route.success]: { description: 'Success', content: { 'application/json': { schema: { $ref: '#/components/schemas/Envelope' } } } },
        '4XX': errorResponse,
        '5XX': errorResponse,
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Weft API', version: '1.0.0', description: 'Durable workflow orchestration for LLM applications' },
    servers: [{ url: '/' }],
    security: [{ apiKey: [] }],
    paths,
    components: {
      securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'An API key: sk-...' } },
      schemas: {
        WorkflowGraph: jsonSchema(graphSchema),
        Envelope: {
          type: 'object',
          required: ['code', 'data', 'meta'],
          properties: { code: { const: 'success' }, data: {}, meta: { type: 'object', properties: { request_id: { type: 'string' } } }, pagination: { type: 'object' } },
        },
        Error: {
          type: 'object',
          required: ['code', 'message', 'request_id'],
          properties: { code: { type: 'string' }, message: { type: 'string' }, details: {}, request_id: { type: 'string' } },
        },
      },
    },
  };
}
