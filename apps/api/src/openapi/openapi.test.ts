import type { AddressInfo } from 'node:net';
import { ROLES } from '@weft/domain';
import { mountedRoutes } from '../http/route';
import { appWithoutServices } from './offline-app';
import { buildOpenApiDocument, openApiPath } from './openapi';

type Operation = {
  security?: unknown[];
  'x-weft-roles'?: string[];
  parameters: { name: string; in: string; schema: Record<string, unknown> }[];
  responses: Record<string, { headers?: Record<string, { required: boolean }>; content: Record<string, { schema: Record<string, any>; 'x-weft-event-data'?: Record<string, any> }> }>;
};

// Nothing is called while the app is built or while the document is served: the services get no deps.
const app = appWithoutServices();
const mounted = mountedRoutes(app);
const doc = buildOpenApiDocument(mounted.declared) as { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, any> } };
const op = (method: string, path: string) => doc.paths[path]![method]!;
const dataOf = (o: Operation, status: number) => Object.values(o.responses[status]!.content)[0]!.schema;

describe('the OpenAPI document', () => {
  it('documents every route the app serves, and only those', () => {
    const served = mounted.routes.map((r) => `${r.method} ${openApiPath(r.path)}`).sort();
    const documented = Object.entries(doc.paths).flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m} ${path}`)).sort();
    expect(served).toHaveLength(73);
    expect(documented).toEqual(served);
  });

  it('is what GET /v1/openapi.json serves', async () => {
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    try {
      const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/openapi.json`);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual(doc);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it('names the roles of each authenticated route, and in the summary when not every role may call it', () => {
    const create = op('post', '/v1/workflows') as Operation & { summary: string; 'x-weft-roles': string[]; 'x-weft-scope': string };
    expect(create['x-weft-roles']).toEqual(['owner', 'admin', 'developer']);
    expect(create['x-weft-scope']).toBe('workflows:write');
    expect(create.summary).toBe('Create a workflow (developer, admin, owner)');
    const start = op('post', '/v1/workflows/{id}/runs') as Operation & { summary: string };
    expect(start.summary).toBe('Start a run (operator, developer, admin, owner; `version: "draft"` needs developer, admin or owner)');
    const read = op('get', '/v1/runs') as Operation & { summary: string; 'x-weft-roles': string[] };
    expect([...read['x-weft-roles']].sort()).toEqual([...ROLES].sort());
    expect(read.summary).toBe('List runs');
    expect(op('get', '/health/ready')).not.toHaveProperty('x-weft-roles');
  });

  it('names the roles of the actions a handler checks inside a route (x-weft-actions)', () => {
    const actions = (doc as unknown as { 'x-weft-actions': Record<string, { roles: string[]; scope: string }> })['x-weft-actions'];
    expect(actions['action:run-draft']).toEqual({ roles: ['owner', 'admin', 'developer'], scope: 'workflows:write' });
    expect(Object.keys(actions).every((k) => k.startsWith('action:'))).toBe(true);
  });

  it('gives every operation a response schema, and every authenticated one its error statuses', () => {
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const [method, o] of Object.entries(methods)) {
        const success = Object.keys(o.responses).filter((s) => s.startsWith('2'));
        expect([`${method} ${path}`, success.length > 0]).toEqual([`${method} ${path}`, true]);
        for (const s of success) expect(dataOf(o, Number(s))).not.toEqual({});
        if (!o.security) expect(Object.keys(o.responses)).toEqual(expect.arrayContaining(['400', '401', '429', '503']));
        // Rate limited (http/rate-limit.ts): the 429 with Retry-After, and the RateLimit headers on every answer.
        if (o['x-weft-roles']) {
          expect(o.responses['429']!.headers).toMatchObject({ 'Retry-After': { required: false }, 'RateLimit-Limit': { required: false }, 'RateLimit-Remaining': { required: false }, 'RateLimit-Reset': { required: false } });
          for (const s of success) expect(Object.keys(o.responses[s]!.headers!)).toEqual(expect.arrayContaining(['RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset']));
        }
        for (const r of Object.values(o.responses)) expect(r.headers?.['X-Request-Id']?.required).toBe(true);
      }
    }
  });

  it('documents the envelope with the DTO inside, and lists with pagination', () => {
    expect(dataOf(op('get', '/v1/runs/{id}'), 200)).toMatchObject({
      required: ['code', 'data', 'meta'],
      properties: { data: { $ref: '#/components/schemas/Run' }, meta: { $ref: '#/components/schemas/Meta' } },
    });
    expect(dataOf(op('get', '/v1/workflows'), 200)).toMatchObject({
      required: ['code', 'data', 'meta', 'pagination'],
      properties: { data: { type: 'array', items: { $ref: '#/components/schemas/Workflow' } }, pagination: { $ref: '#/components/schemas/Pagination' } },
    });
    expect(Object.keys(doc.components.schemas.Run.properties)).toEqual(
      expect.arrayContaining(['id', 'workflowId', 'version', 'status', 'inputs', 'outputs', 'error', 'usage', 'temporal']),
    );
    expect(doc.components.schemas.Run.properties.status.enum).toContain('partially-succeeded');
  });

  it("documents the start-run route's 200 and 202, both with Location, and its error statuses", () => {
    const start = op('post', '/v1/workflows/{id}/runs');
    expect(Object.keys(start.responses).sort()).toEqual(['200', '202', '400', '401', '403', '404', '409', '413', '415', '422', '429', '503']);
    for (const s of [200, 202]) expect(start.responses[s]!.headers!.Location!.required).toBe(true);
    expect(start.parameters.find((p) => p.name === 'Idempotency-Key')).toMatchObject({ in: 'header', schema: { maxLength: 255 } });
  });

  it('documents health probes without the envelope and without bearer auth', () => {
    const ready = op('get', '/health/ready');
    expect(ready.security).toEqual([]);
    expect(Object.keys(ready.responses).sort()).toEqual(['200', '503']);
    expect(dataOf(ready, 200)).toEqual({ $ref: '#/components/schemas/HealthReady' });
    expect(dataOf(ready, 503)).toEqual({ $ref: '#/components/schemas/HealthNotReady' });
    // A dependency down, or the process draining (SIGTERM).
    expect(doc.components.schemas.HealthNotReady.anyOf.map((s: { properties: { status: unknown } }) => s.properties.status)).toEqual([
      { type: 'string', enum: ['ok', 'unavailable'] },
      { type: 'string', const: 'draining' },
    ]);
    expect(op('get', '/health/live').security).toEqual([]);
    expect(doc.components.schemas.HealthReady.required).toEqual(['status', 'down', 'checks']);
    const deep = op('get', '/health/deep');
    expect(deep.security).toEqual([]);
    expect(Object.keys(deep.responses).sort()).toEqual(['200', '503']);
    expect(dataOf(deep, 503)).toEqual({ $ref: '#/components/schemas/HealthDeep' });
    expect(doc.components.schemas.HealthDeep.required).toEqual(['status', 'down', 'unpolled', 'dependencies', 'taskQueues']);
  });

  it('documents the metrics as Prometheus text, without bearer auth unless WEFT_METRICS_TOKEN is set', () => {
    const metrics = op('get', '/metrics');
    expect(metrics.security).toEqual([]);
    expect(Object.keys(metrics.responses).sort()).toEqual(['200', '401']);
    expect(metrics.responses[200]!.content).toEqual({ 'text/plain': { schema: { type: 'string' } } });
  });

  it('documents the codec endpoint with the operator token, not an API key, and its bare Payloads answer', () => {
    for (const path of ['/codec/decode', '/codec/encode']) {
      const codec = op('post', path) as Operation & { 'x-weft-roles'?: unknown };
      expect(codec.security).toEqual([{ operatorToken: [] }]);
      expect(codec).not.toHaveProperty('x-weft-roles');
      expect(codec.parameters.map((p) => `${p.in} ${p.name}`)).toEqual(['header X-Namespace']);
      expect(dataOf(codec, 200)).toMatchObject({ required: ['payloads'] });
      expect(Object.keys(codec.responses)).toEqual(expect.arrayContaining(['200', '400', '401', '403']));
    }
    expect((doc as unknown as { components: { securitySchemes: Record<string, unknown> } }).components.securitySchemes).toHaveProperty('operatorToken');
  });

  it("documents a run's live events as a text/event-stream, with Last-Event-ID and the 503 with Retry-After", () => {
    const events = op('get', '/v1/runs/{id}/events');
    expect(Object.keys(events.responses[200]!.content)).toEqual(['text/event-stream']);
    expect(events.responses[200]!.content['text/event-stream']!['x-weft-event-data']).toMatchObject({ type: 'object' });
    expect(events.parameters.map((p) => `${p.in} ${p.name}`)).toEqual(['path id', 'query lastEventId', 'header Last-Event-ID']);
    expect(events.responses[503]!.headers).toHaveProperty('Retry-After');
    const history = op('get', '/v1/runs/{id}/history');
    expect(dataOf(history, 200).properties.data.required).toEqual(['events', 'next']);
    expect(history.parameters.map((p) => p.name)).toEqual(['id', 'cursor', 'limit']);
  });

  it('documents the document upload as JSON text documents or multipart files, and its 202 and 200', () => {
    const upload = op('post', '/v1/knowledge/{id}/documents') as Operation & { requestBody: { required: boolean; content: Record<string, { schema: Record<string, any> }> }; 'x-weft-roles': string[] };
    expect(upload.requestBody.required).toBe(true);
    expect(Object.keys(upload.requestBody.content)).toEqual(['application/json', 'multipart/form-data']);
    expect(upload.requestBody.content['multipart/form-data']!.schema.properties.files).toMatchObject({ type: 'array', items: { type: 'string', format: 'binary' } });
    expect(upload.requestBody.content['application/json']!.schema.properties.documents).toMatchObject({ type: 'array', minItems: 1, maxItems: 1000 });
    expect(Object.keys(upload.responses).sort()).toEqual(['200', '202', '400', '401', '403', '404', '413', '415', '422', '429', '503']);
    expect(upload['x-weft-roles']).toEqual(['owner', 'admin', 'developer']);
    const job = op('get', '/v1/ingestion-jobs/{id}');
    expect(dataOf(job, 200).properties.data.required).toEqual(expect.arrayContaining(['status', 'total', 'succeeded', 'failed', 'progress', 'documents']));
    expect(Object.keys(op('get', '/v1/ingestion-jobs/{id}/events').responses[200]!.content)).toEqual(['text/event-stream']);
  });

  it('documents the integer ranges the API enforces', () => {
    const version = op('get', '/v1/workflows/{id}/versions/{version}').parameters.find((p) => p.name === 'version')!;
    expect(version.schema).toMatchObject({ type: 'integer', minimum: 1, maximum: 2147483647 });
    const page = op('get', '/v1/runs').parameters.find((p) => p.name === 'page')!;
    expect(page.schema).toMatchObject({ type: 'integer', minimum: 1, maximum: 1_000_000 });
  });
});
