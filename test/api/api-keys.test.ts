/**
 * Issue 12, item 3: API keys managed over the API. Two API apps (A and B) in this process, each with
 * its own key cache (kept a minute, so a key used once stays cached) and its own Redis connection,
 * stand for two API processes behind a load balancer: a key revoked or rotated through A fails on B
 * on its very next request. No worker: nothing here runs a workflow.
 */
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { createApp, vectorStoreOf } from '../../apps/api/src/app';
import type { ApiKeyCache } from '../../apps/api/src/auth/api-key-cache';
import { apiConfigSchema } from '../../apps/api/src/config';
import { hashApiKey } from '../../apps/api/src/auth/api-keys';
import { memberWithToken } from '../support/accounts';
import { KeyUsage } from '../../apps/api/src/api-keys/key-usage';
import { eventually, httpClient, resetDatabase, silentLogger, startHarness, type ApiClient, type Harness } from '../support/harness';
import { closedPort } from '../support/http-target';
import { serviceEnv } from '../support/test-env';

const SETTINGS = { WEFT_API_KEY_CACHE_MS: '60000', WEFT_API_KEY_LAST_USED_INTERVAL_MS: '0' };

let a: Harness;
let b: Harness;
let admin: ApiClient;
let acme: string;
/** every key shown by the API in this suite, to check that none is ever stored or audited */
const shown: string[] = [];

beforeAll(async () => {
  a = await startHarness('api-keys-a', SETTINGS);
  b = await startHarness('api-keys-b', SETTINGS);
  await resetDatabase(a.prisma);
  const key = await a.key('acme', 'admin');
  admin = httpClient(a.url, key);
  acme = (await a.prisma.tenant.findUniqueOrThrow({ where: { name: 'acme' } })).id;
});
afterAll(async () => {
  await b?.close();
  await a?.close();
});

/** Creates a key through `api` (default: the admin key on A); fails the test unless 201. */
async function createKey(body: Record<string, unknown>, api: ApiClient = admin) {
  const r = await api('POST', '/v1/api-keys', body);
  if (r.status !== 201) throw new Error(`create answered ${r.status}: ${JSON.stringify(r.body)}`);
  shown.push(r.body.data.key);
  return r.body.data as { id: string; key: string; [k: string]: unknown };
}

const cacheOf = (h: Harness) => h.app.locals.apiKeys as ApiKeyCache;
const on = (h: Harness, key: string) => httpClient(h.url, key);

describe('create, list, use', () => {
  it('shows the key once, stores only its hash, and never lists it', async () => {
    const r = await admin('POST', '/v1/api-keys', { name: 'ci', role: 'operator', scopes: ['runs:read', 'runs:write', 'runs:read'], expiresInDays: 30 });
    expect(r.status).toBe(201);
    const made = r.body.data;
    shown.push(made.key);
    expect(made.key).toMatch(/^sk-[A-Za-z0-9_-]{40,}$/);
    expect(made).toMatchObject({ name: 'ci', role: 'operator', scopes: ['runs:read', 'runs:write'], prefix: made.key.slice(0, 7), revokedAt: null, rotatedFrom: null, lastUsedAt: null });
    expect(new Date(made.expiresAt).getTime() - new Date(made.createdAt).getTime()).toBe(30 * 86_400_000);
    const adminKeyId = (await a.prisma.apiKey.findFirstOrThrow({ where: { tenantId: acme, createdBy: null } })).id;
    expect(made.createdBy).toBe(adminKeyId);

    const row = await a.prisma.apiKey.findUniqueOrThrow({ where: { id: made.id } });
    expect(row.hash).toBe(hashApiKey(made.key));
    expect(JSON.stringify(row)).not.toContain(made.key);

    const listed = await admin('GET', '/v1/api-keys?limit=100');
    expect(listed.status).toBe(200);
    const item = listed.body.data.find((k: { id: string }) => k.id === made.id);
    expect(item).toEqual({ ...made, key: undefined });
    expect(Object.keys(item)).not.toContain('key');
    expect(JSON.stringify(listed.body)).not.toContain(made.key);
    expect(JSON.stringify(listed.body)).not.toContain(row.hash);
    expect(listed.body.pagination).toMatchObject({ page: 1, limit: 100, total: listed.body.data.length });
  });

  it('a new key works at once, and its last use is recorded', async () => {
    const made = await createKey({ name: 'reader', role: 'viewer' });
    expect((await on(a, made.key)('GET', '/v1/runs')).status).toBe(200);
    const used = await eventually(async () => (await a.prisma.apiKey.findUniqueOrThrow({ where: { id: made.id } })).lastUsedAt, 10_000, 50);
    const listed = await admin('GET', '/v1/api-keys?state=active&limit=100');
    expect(listed.body.data.find((k: { id: string }) => k.id === made.id).lastUsedAt).toBe(used!.toISOString());
  });

  it('writes the last use at most once per interval', async () => {
    const made = await createKey({ name: 'busy', role: 'viewer' });
    const usage = new KeyUsage(a.prisma, silentLogger, 60_000);
    const lastUsed = async () => (await a.prisma.apiKey.findUniqueOrThrow({ where: { id: made.id } })).lastUsedAt?.getTime();
    const t0 = Date.now() + 3_600_000;
    await usage.used(made.id, new Date(t0));
    expect(await lastUsed()).toBe(t0);
    expect(usage.used(made.id, new Date(t0 + 59_999))).toBeUndefined();
    await usage.used(made.id, new Date(t0 + 60_000));
    expect(await lastUsed()).toBe(t0 + 60_000);
    // Never backwards: another process's older time leaves it.
    await new KeyUsage(a.prisma, silentLogger, 60_000).used(made.id, new Date(t0));
    expect(await lastUsed()).toBe(t0 + 60_000);
  });

  it('pages and filters the list', async () => {
    const page = await admin('GET', '/v1/api-keys?limit=1&page=2&sort=created_at');
    expect(page.status).toBe(200);
    expect(page.body.data).toHaveLength(1);
    expect(page.body.pagination).toMatchObject({ page: 2, limit: 1, has_prev: true });
    const revoked = await admin('GET', '/v1/api-keys?state=revoked');
    expect(revoked.body.data.every((k: { revokedAt: string | null }) => k.revokedAt !== null)).toBe(true);
  });
});

describe('revoke', () => {
  it('a key cached on two processes, revoked through one, fails on the other on its very next request', async () => {
    const made = await createKey({ name: 'leaked', role: 'developer' });
    expect((await on(a, made.key)('GET', '/v1/workflows')).status).toBe(200);
    expect((await on(b, made.key)('GET', '/v1/workflows')).status).toBe(200);
    // Both processes hold it in their cache: without the revocation marker they would let it in for a minute.
    expect(cacheOf(a).get(hashApiKey(made.key))?.keyId).toBe(made.id);
    expect(cacheOf(b).get(hashApiKey(made.key))?.keyId).toBe(made.id);

    const revoked = await admin('DELETE', `/v1/api-keys/${made.id}`);
    expect(revoked.status).toBe(200);
    expect(revoked.body.data).toMatchObject({ id: made.id, name: 'leaked' });
    expect(revoked.body.data.revokedAt).not.toBeNull();

    const onB = await on(b, made.key)('GET', '/v1/workflows');
    expect(onB.status).toBe(401);
    expect(onB.body.code).toBe('unauthorized');
    expect((await on(a, made.key)('GET', '/v1/workflows')).status).toBe(401);

    // Idempotent: the same revocation time, and one audit entry.
    const again = await admin('DELETE', `/v1/api-keys/${made.id}`);
    expect(again.status).toBe(200);
    expect(again.body.data.revokedAt).toBe(revoked.body.data.revokedAt);
    expect(await a.prisma.auditEntry.count({ where: { tenantId: acme, action: 'api_key.revoke', objectId: made.id } })).toBe(1);
  });

  it('a process that cannot read Redis does not trust its cache: it reads PostgreSQL', async () => {
    const down = new Redis(`redis://127.0.0.1:${await closedPort()}`, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
    down.on('error', () => undefined);
    try {
      // A third API process whose revocation markers are in a Redis that is down.
      const app = createApp({ config: apiConfigSchema.parse({ ...serviceEnv(a.taskQueue), ...SETTINGS }), prisma: a.prisma, redis: down, temporal: a.temporal, logger: silentLogger });
      const server = app.listen(0, '127.0.0.1');
      await new Promise((resolve) => server.once('listening', resolve));
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      try {
        const made = await createKey({ name: 'redis-down', role: 'viewer' });
        expect((await httpClient(url, made.key)('GET', '/v1/runs')).status).toBe(200);
        expect((app.locals.apiKeys as ApiKeyCache).get(hashApiKey(made.key))?.keyId).toBe(made.id);
        expect((await admin('DELETE', `/v1/api-keys/${made.id}`)).status).toBe(200);
        expect((await httpClient(url, made.key)('GET', '/v1/runs')).status).toBe(401);
      } finally {
        await new Promise((resolve) => server.close(resolve));
        await vectorStoreOf(app).close();
      }
    } finally {
      down.disconnect();
    }
  });

  it('a key can revoke itself, and the request after fails', async () => {
    const made = await createKey({ name: 'self', role: 'admin', scopes: ['keys:write'] });
    const self = on(b, made.key);
    expect((await self('DELETE', `/v1/api-keys/${made.id}`)).status).toBe(200);
    expect((await self('GET', '/v1/api-keys')).status).toBe(401);
  });
});

describe('rotate', () => {
  it('issues a new key like the old one; the old one fails at once on every process, the new one works', async () => {
    const expiresAt = new Date(Date.now() + 7 * 86_400_000).toISOString();
    const old = await createKey({ name: 'deploy', role: 'operator', scopes: ['runs:write', 'workflows:read'], expiresAt });
    for (const h of [a, b]) expect((await on(h, old.key)('GET', '/v1/workflows')).status).toBe(200);

    const r = await admin('POST', `/v1/api-keys/${old.id}/rotate`);
    expect(r.status).toBe(201);
    const fresh = r.body.data;
    shown.push(fresh.key);
    expect(fresh.key).not.toBe(old.key);
    expect(fresh).toMatchObject({ name: 'deploy', role: 'operator', scopes: ['runs:write', 'workflows:read'], expiresAt, rotatedFrom: old.id, revokedAt: null });
    expect(fresh.id).not.toBe(old.id);

    expect((await on(b, old.key)('GET', '/v1/workflows')).status).toBe(401);
    expect((await on(a, old.key)('GET', '/v1/workflows')).status).toBe(401);
    for (const h of [a, b]) expect((await on(h, fresh.key)('GET', '/v1/workflows')).status).toBe(200);
    expect((await a.prisma.apiKey.findUniqueOrThrow({ where: { id: old.id } })).revokedAt).not.toBeNull();

    const twice = await admin('POST', `/v1/api-keys/${old.id}/rotate`);
    expect(twice.status).toBe(409);
    expect(twice.body.code).toBe('api_key_revoked');
  });

  it('refuses to rotate an expired key', async () => {
    const made = await createKey({ name: 'old', role: 'viewer' });
    await a.prisma.apiKey.update({ where: { id: made.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const r = await admin('POST', `/v1/api-keys/${made.id}/rotate`);
    expect(r.status).toBe(409);
    expect(r.body.code).toBe('api_key_expired');
  });
});

describe('expiry', () => {
  it('an expired key is refused', async () => {
    const made = await createKey({ name: 'expired', role: 'viewer', expiresInDays: 1 });
    await a.prisma.apiKey.update({ where: { id: made.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const r = await on(b, made.key)('GET', '/v1/runs');
    expect(r.status).toBe(401);
    expect(r.body.code).toBe('unauthorized');
  });

  it('a cached key stops when its expiry passes', async () => {
    // Four seconds is the margin for the first request; the cache keeps it a minute.
    const made = await createKey({ name: 'short', role: 'viewer', expiresAt: new Date(Date.now() + 4_000).toISOString() });
    const api = on(b, made.key);
    expect((await api('GET', '/v1/runs')).status).toBe(200);
    expect(cacheOf(b).get(hashApiKey(made.key))?.keyId).toBe(made.id);
    await eventually(async () => (await api('GET', '/v1/runs')).status === 401, 20_000, 250);
  });

  it('refuses an expiry in the past, too far away, or given twice', async () => {
    const past = await admin('POST', '/v1/api-keys', { name: 'x', role: 'viewer', expiresAt: new Date(Date.now() - 60_000).toISOString() });
    expect([past.status, past.body.code]).toEqual([422, 'api_key_expiry_invalid']);
    const far = await admin('POST', '/v1/api-keys', { name: 'x', role: 'viewer', expiresAt: new Date(Date.now() + 3651 * 86_400_000).toISOString() });
    expect([far.status, far.body.code]).toEqual([422, 'api_key_expiry_invalid']);
    for (const body of [
      { name: 'x', role: 'viewer', expiresInDays: 3651 },
      { name: 'x', role: 'viewer', expiresInDays: 0 },
      { name: 'x', role: 'viewer', expiresInDays: 1, expiresAt: new Date(Date.now() + 86_400_000).toISOString() },
      { name: 'x', role: 'viewer', expiresAt: 'tomorrow' },
    ]) {
      const r = await admin('POST', '/v1/api-keys', body);
      expect([r.status, r.body.code]).toEqual([400, 'malformed_request']);
    }
  });
});

describe('scopes', () => {
  it("a key with ['runs:read'] reads runs but cannot create a workflow, even with the role admin", async () => {
    const made = await createKey({ name: 'narrow', role: 'admin', scopes: ['runs:read'] });
    const api = on(a, made.key);
    expect((await api('GET', '/v1/runs')).status).toBe(200);
    const write = await api('POST', '/v1/workflows', { name: 'x', graph: {} });
    expect([write.status, write.body.code]).toEqual([403, 'scope_forbidden']);
    const keys = await api('GET', '/v1/api-keys');
    expect([keys.status, keys.body.code]).toEqual([403, 'scope_forbidden']);
  });

  it('refuses a scope the role has no route with (422), an unknown or empty scope list (400)', async () => {
    const r = await admin('POST', '/v1/api-keys', { name: 'x', role: 'viewer', scopes: ['runs:read', 'workflows:write'] });
    expect([r.status, r.body.code]).toEqual([422, 'api_key_scope_invalid']);
    expect(r.body.details.scopes).toEqual(['workflows:write']);
    for (const scopes of [[], ['runs:everything']]) {
      const bad = await admin('POST', '/v1/api-keys', { name: 'x', role: 'viewer', scopes });
      expect([bad.status, bad.body.code]).toEqual([400, 'malformed_request']);
    }
  });

  it('a scoped key only hands on the scopes it holds', async () => {
    const keyAdmin = await createKey({ name: 'key-admin', role: 'admin', scopes: ['keys:write', 'runs:read'] });
    const api = on(a, keyAdmin.key);
    const unscoped = await api('POST', '/v1/api-keys', { name: 'x', role: 'admin' });
    expect([unscoped.status, unscoped.body.code]).toEqual([403, 'api_key_scope_above_caller']);
    const wider = await api('POST', '/v1/api-keys', { name: 'x', role: 'developer', scopes: ['workflows:write'] });
    expect([wider.status, wider.body.code]).toEqual([403, 'api_key_scope_above_caller']);
    await createKey({ name: 'reader', role: 'viewer', scopes: ['runs:read'] }, api);
    // Nor can it rotate a wider key into its hands.
    const full = await createKey({ name: 'full', role: 'developer' });
    const rotate = await api('POST', `/v1/api-keys/${full.id}/rotate`);
    expect([rotate.status, rotate.body.code]).toEqual([403, 'api_key_scope_above_caller']);
  });
});

describe('roles', () => {
  it('an admin cannot mint, rotate or revoke an owner key; an owner can', async () => {
    const refused = await admin('POST', '/v1/api-keys', { name: 'x', role: 'owner' });
    expect([refused.status, refused.body.code]).toEqual([403, 'api_key_role_above_caller']);
    const adminPerson = await memberWithToken(a.prisma, a.app, acme, 'admin');
    const byToken = await httpClient(a.url, adminPerson.token)('POST', '/v1/api-keys', { name: 'x', role: 'owner' });
    expect([byToken.status, byToken.body.code]).toEqual([403, 'api_key_role_above_caller']);

    const owner = httpClient(a.url, (await memberWithToken(a.prisma, a.app, acme, 'owner')).token);
    const ownerKey = await createKey({ name: 'root', role: 'owner' }, owner);
    expect(ownerKey.createdBy).not.toBeNull();
    for (const [method, path] of [
      ['POST', `/v1/api-keys/${ownerKey.id}/rotate`],
      ['DELETE', `/v1/api-keys/${ownerKey.id}`],
    ] as const) {
      const r = await admin(method, path);
      expect([r.status, r.body.code]).toEqual([403, 'api_key_role_above_caller']);
    }
    expect((await owner('DELETE', `/v1/api-keys/${ownerKey.id}`)).status).toBe(200);
    // An admin person may mint an admin key.
    await createKey({ name: 'admin-made', role: 'admin' }, httpClient(a.url, adminPerson.token));
  });

  it('only admins and owners reach the key routes', async () => {
    for (const role of ['developer', 'operator', 'viewer'] as const) {
      const person = httpClient(a.url, (await memberWithToken(a.prisma, a.app, acme, role)).token);
      for (const [method, path, body] of [
        ['GET', '/v1/api-keys', undefined],
        ['POST', '/v1/api-keys', { name: 'x', role: 'viewer' }],
      ] as const) {
        const r = await person(method, path, body);
        expect([role, r.status, r.body.code]).toEqual([role, 403, 'forbidden']);
      }
    }
  });
});

describe('workspaces', () => {
  it("another workspace's key is not found, and not listed", async () => {
    const mine = await createKey({ name: 'mine', role: 'viewer' });
    const other = httpClient(a.url, await a.key('globex', 'owner'));
    for (const [method, path] of [
      ['POST', `/v1/api-keys/${mine.id}/rotate`],
      ['DELETE', `/v1/api-keys/${mine.id}`],
    ] as const) {
      const r = await other(method, path);
      expect([r.status, r.body.code]).toEqual([404, 'api_key_not_found']);
    }
    const listed = await other('GET', '/v1/api-keys?limit=100');
    expect(listed.body.data.map((k: { id: string }) => k.id)).not.toContain(mine.id);
    expect((await on(a, mine.key)('GET', '/v1/runs')).status).toBe(200);
    const missing = await admin('DELETE', '/v1/api-keys/key_nope');
    expect([missing.status, missing.body.code]).toEqual([404, 'api_key_not_found']);
  });
});

describe('input', () => {
  it.each([
    ['no name', { role: 'viewer' }],
    ['an empty name', { name: '  ', role: 'viewer' }],
    ['an unknown role', { name: 'x', role: 'root' }],
    ['an unknown field', { name: 'x', role: 'viewer', hash: 'abc' }],
    ['scopes not a list', { name: 'x', role: 'viewer', scopes: 'runs:read' }],
  ])('refuses %s with 400', async (_what, body) => {
    const r = await admin('POST', '/v1/api-keys', body);
    expect([r.status, r.body.code]).toEqual([400, 'malformed_request']);
  });

  it('refuses bad list queries with 400', async () => {
    for (const q of ['state=gone', 'limit=0', 'page=x']) expect((await admin('GET', `/v1/api-keys?${q}`)).status).toBe(400);
  });
});

describe('audit', () => {
  it('records create, rotate and revoke, without any key or hash', async () => {
    const made = await createKey({ name: 'audited', role: 'viewer' });
    const rotated = (await admin('POST', `/v1/api-keys/${made.id}/rotate`)).body.data;
    shown.push(rotated.key);
    await admin('DELETE', `/v1/api-keys/${rotated.id}`);
    const entries = await a.prisma.auditEntry.findMany({ where: { tenantId: acme, objectType: 'api_key', objectId: { in: [made.id, rotated.id] } }, orderBy: { id: 'asc' } });
    expect(entries.map((e) => [e.action, e.objectId])).toEqual([
      ['api_key.create', made.id],
      ['api_key.rotate', made.id],
      ['api_key.revoke', rotated.id],
    ]);
    expect(entries.every((e) => e.actorType === 'api_key' && e.actorId !== null && e.requestId !== null)).toBe(true);
    expect((entries[1]!.after as { rotatedTo: { id: string } }).rotatedTo.id).toBe(rotated.id);

    const all = JSON.stringify(await a.prisma.auditEntry.findMany({ where: { objectType: 'api_key' }, select: { before: true, after: true } }));
    for (const key of shown) {
      expect(all).not.toContain(key);
      expect(all).not.toContain(hashApiKey(key));
    }
  });
});
