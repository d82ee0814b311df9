import type { AddressInfo } from 'node:net';
import express, { Router } from 'express';
import { z } from 'zod';
import type { Logger } from '@weft/activities';
import { errorMiddleware } from './error.middleware';
import { bindRoutes, data, defineRoutes, mountedRoutes } from './route';

const thing = z.object({ id: z.string() });

const table = { 'GET /v1/things/:id': { roles: ['admin'], scope: 'workflows:read' } } as const;
const routes = defineRoutes(
  {
    get: {
      method: 'get',
      path: '/v1/things/:id',
      summary: 'Read a thing',
      request: { params: z.object({ id: z.string().max(3) }) },
      responses: { 200: data(thing, 'The thing') },
      errors: [400, 401, 403],
    },
  },
  table,
);

function appWith(role: string) {
  const app = express();
  app.use((req, _res, next) => {
    req.auth = { tenantId: 't', role: role as 'admin', scopes: [], principal: { type: 'api_key', id: 'k' } };
    next();
  });
  app.use(bindRoutes(routes, { get: (_req, res, { params }) => void res.json({ id: params.id }) }));
  app.use(errorMiddleware({ error: () => undefined, warn: () => undefined } as unknown as Logger));
  return app;
}

async function get(app: express.Express, path: string): Promise<{ status: number; body: unknown }> {
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  try {
    const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`);
    return { status: res.status, body: await res.json() };
  } finally {
    await new Promise((r) => server.close(r));
  }
}

describe('declared routes', () => {
  it('check the role, then validate the request with the declared schemas, then run the handler', async () => {
    expect(await get(appWith('admin'), '/v1/things/abc')).toEqual({ status: 200, body: { id: 'abc' } });
    expect(await get(appWith('admin'), '/v1/things/abcd')).toMatchObject({ status: 400, body: { code: 'malformed_request' } });
    expect(await get(appWith('viewer'), '/v1/things/abcd')).toMatchObject({ status: 403, body: { code: 'forbidden' } });
  });

  it('are read back from the app with their whole paths, beside every other Express route', () => {
    const app = express();
    const nested = Router();
    nested.post('/b/:x', (_req, res) => void res.end());
    app.use(bindRoutes(routes, { get: () => undefined }));
    app.use('/a', nested);
    app.get('/c', (_req, res) => void res.end());
    const { routes: served, declared } = mountedRoutes(app);
    expect(served).toEqual([
      { method: 'get', path: '/v1/things/:id' },
      { method: 'post', path: '/a/b/:x' },
      { method: 'get', path: '/c' },
    ]);
    expect(declared).toEqual([routes.get]);
  });

  it('refuse a router of declared routes mounted under a prefix (its paths are whole paths)', () => {
    const app = express();
    app.use('/v1', bindRoutes(routes, { get: () => undefined }));
    expect(() => mountedRoutes(app)).toThrow(/mounted at '\/v1'/);
  });

  it('refuse a route the permission table does not name, a public route that reads input, a route no role may call, and a route with credentials outside /v1', () => {
    const base = { method: 'get', summary: 's', responses: { 200: data(thing, 'd') }, errors: [] } as const;
    const with_ = (path: string, access: unknown) => ({ [`GET ${path}`]: access }) as Record<string, never>;
    expect(() => defineRoutes({ a: { ...base, path: '/v1/y' } }, with_('/v1/x', 'public'))).toThrow(/no entry/);
    expect(() => defineRoutes({ a: { ...base, path: '/x', request: { query: z.object({}) } } }, with_('/x', 'public'))).toThrow(/reads no input/);
    expect(() => defineRoutes({ a: { ...base, path: '/v1/x' } }, with_('/v1/x', { roles: [], scope: 'runs:read' }))).toThrow(/no role/);
    expect(() => defineRoutes({ a: { ...base, path: '/x' } }, with_('/x', { roles: ['admin'], scope: 'runs:read' }))).toThrow(/under \/v1\//);
    expect(() => defineRoutes({ a: { ...base, path: '/x' } }, with_('/x', 'account'))).toThrow(/under \/v1\//);
  });
});
