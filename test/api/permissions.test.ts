import { ROLES, type Role } from '@weft/domain';
import { createTenantKey, hashApiKey, newId } from '../../apps/api/src/auth/api-keys';
import { PERMISSIONS, SCOPES, type Permission, type WorkspaceAccess } from '../../apps/api/src/auth/permissions';
import { mountedRoutes } from '../../apps/api/src/http/route';
import { openApiPath as openApiPathOf } from '../../apps/api/src/openapi/openapi';
import { helloGraph } from '../fixtures/graphs';
import { memberWithToken } from '../support/accounts';
import { insertApproval, openedApproval } from '../support/approval-rows';
import { httpClient, publishGraph, resetDatabase, startHarness, type ApiClient, type Harness } from '../support/harness';

/**
 * Issue 12, item 4: the one permission table (apps/api/src/auth/permissions.ts) against the app.
 * Every route the app mounts has its entry and every route of the table is mounted; then every
 * workspace route × every role, with an API key and with an account's access token of that role:
 * 401 without credentials (none, garbage, a revoked key), 403 for a role the entry does not name,
 * not 401/403 for one it names, 404 with the id of another workspace's object; a key's scopes
 * narrow its role (403 scope_forbidden); `account` routes refuse API keys.
 */

interface Route {
  key: string;
  method: string;
  path: string;
  access: Permission;
}

const DENIED = [401, 403];
const NOPE = 'nope_0000';

let h: Harness;
let routes: Route[];
/** workspace B: an API key and an account's access token per role */
const keysB = new Map<Role, string>();
const tokensB = new Map<Role, string>();
let tenantA: string;
let tenantB: string;
let adminA: ApiClient;

beforeAll(async () => {
  h = await startHarness('permissions');
  await resetDatabase(h.prisma);
  const a = await createTenantKey(h.prisma, 'acme', 'admin');
  tenantA = a.tenantId;
  adminA = httpClient(h.url, a.key);
  for (const role of ROLES) {
    const b = await createTenantKey(h.prisma, 'globex', role);
    tenantB = b.tenantId;
    keysB.set(role, b.key);
  }
  await Promise.all(ROLES.map(async (role) => tokensB.set(role, (await memberWithToken(h.prisma, h.app, tenantB, role)).token)));
  const { declared } = mountedRoutes(h.app);
  routes = declared.map((d) => ({ key: `${d.method.toUpperCase()} ${d.path}`, method: d.method.toUpperCase(), path: d.path, access: d.access }));
});
afterAll(async () => {
  // Runs and ingestion jobs started here have no worker; end their executions.
  const ids = [...(await h.prisma.run.findMany({ select: { temporalWorkflowId: true } })).map((r) => r.temporalWorkflowId), ...(await h.prisma.ingestionJob.findMany({ select: { temporalWorkflowId: true } })).map((j) => j.temporalWorkflowId)];
  for (const id of ids) await h.temporal.workflow.getHandle(id).terminate('test over').catch(() => undefined);
  await h.close();
});

const isWorkspace = (p: Permission): p is WorkspaceAccess => typeof p !== 'string';
const workspaceRoutes = () => routes.filter((r): r is Route & { access: WorkspaceAccess } => isWorkspace(r.access));
/** The path with every parameter filled in (ids that exist nowhere, unless given). */
const fill = (path: string, params: Record<string, string | number> = {}) => path.replace(/:(\w+)/g, (_, name: string) => encodeURIComponent(String(params[name] ?? NOPE)));

/** Runs the checks a few at a time: one app, two cores shared with others. */
async function inPool<T>(items: readonly T[], fn: (item: T) => Promise<void>, width = 6): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < items.length) await fn(items[next++]!);
  }));
}

/** Collects every mismatch of a walk and fails once, naming them all. */
function mismatches() {
  const found: string[] = [];
  return {
    check(ok: boolean, what: string) {
      if (!ok) found.push(what);
    },
    get found() {
      return found;
    },
  };
}

async function call(credential: string | undefined, method: string, path: string, body?: unknown) {
  return httpClient(h.url, credential)(method, path, body);
}

describe('the permission table and the mounted routes', () => {
  it('agree: every mounted route has its entry, every route of the table is mounted', async () => {
    const table = Object.keys(PERMISSIONS).filter((k) => !k.startsWith('action:'));
    const { routes: express } = mountedRoutes(h.app);
    // Every Express route (declared or not) is in the table, with the access the table gives it.
    const mounted = new Set(express.map((r) => `${r.method.toUpperCase()} ${r.path}`));
    expect([...mounted].filter((k) => !(k in PERMISSIONS))).toEqual([]);
    expect(routes.filter((r) => PERMISSIONS[r.key as keyof typeof PERMISSIONS] !== r.access).map((r) => r.key)).toEqual([]);
    expect(routes.map((r) => r.key).sort()).toEqual([...mounted].sort());
    // And every route of the table is mounted.
    expect({ 'in the table, not mounted': table.filter((k) => !mounted.has(k)) }).toEqual({ 'in the table, not mounted': [] });
  });

  it('and the OpenAPI document says the same roles and scope for each route', async () => {
    const doc = (await call(undefined, 'GET', '/v1/openapi.json')).body as { paths: Record<string, Record<string, Record<string, unknown>>> };
    const operations = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
    expect(operations.sort()).toEqual(routes.map((r) => `${r.method} ${openApiPathOf(r.path)}`).sort());
    for (const r of workspaceRoutes()) {
      const op = doc.paths[openApiPathOf(r.path)]![r.method.toLowerCase()]!;
      expect([r.key, op['x-weft-roles'], op['x-weft-scope']]).toEqual([r.key, [...r.access.roles], r.access.scope]);
    }
  });
});

describe('every route × every role', () => {
  it('answers 401 without credentials, with a garbage token and with a revoked key on every route that needs them', async () => {
    const revoked = await createTenantKey(h.prisma, 'globex', 'owner');
    await h.prisma.apiKey.update({ where: { hash: hashApiKey(revoked.key) }, data: { revokedAt: new Date() } });
    const needing = routes.filter((r) => isWorkspace(r.access) || r.access === 'account');
    expect(needing.length).toBeGreaterThan(40);
    const bad = mismatches();
    await inPool(needing, async (r) => {
      for (const [what, credential] of [['none', undefined], ['garbage', 'not-a-token'], ['garbage key', `sk-${'x'.repeat(43)}`], ['revoked key', revoked.key]] as const) {
        const res = await call(credential, r.method, fill(r.path));
        bad.check(res.status === 401 && res.body?.code === 'unauthorized', `${r.key} (${what}): ${res.status} ${res.body?.code}`);
      }
    });
    expect(bad.found).toEqual([]);
  });

  it('answers 403 to each role the entry does not name and lets through each one it names, for API keys and access tokens', async () => {
    const bad = mismatches();
    const cases = workspaceRoutes().flatMap((r) => ROLES.flatMap((role) => (['key', 'token'] as const).map((kind) => ({ r, role, kind }))));
    await inPool(cases, async ({ r, role, kind }) => {
      const res = await call((kind === 'key' ? keysB : tokensB).get(role), r.method, fill(r.path));
      const where = `${r.key} as ${role} (${kind}): ${res.status} ${res.body?.code}`;
      if (r.access.roles.includes(role)) bad.check(!DENIED.includes(res.status), where);
      else bad.check(res.status === 403 && res.body?.code === 'forbidden', where);
    });
    expect(bad.found).toEqual([]);
  });

  it('refuses a key whose scopes lack the route’s with 403 scope_forbidden, and lets the scope it has through', async () => {
    for (const scope of SCOPES) {
      const { key } = await createTenantKey(h.prisma, 'globex', 'owner');
      await h.prisma.apiKey.update({ where: { hash: hashApiKey(key) }, data: { scopes: [scope] } });
      const bad = mismatches();
      await inPool(workspaceRoutes(), async (r) => {
        const res = await call(key, r.method, fill(r.path));
        const where = `${r.key} with scope ${scope}: ${res.status} ${res.body?.code}`;
        if (r.access.scope === scope) bad.check(!DENIED.includes(res.status), where);
        else bad.check(res.status === 403 && res.body?.code === 'scope_forbidden', where);
      });
      expect(bad.found).toEqual([]);
    }
  });

  it('refuses API keys on account routes (403 account_required) and lets an access token through', async () => {
    const bad = mismatches();
    for (const r of routes.filter((x) => x.access === 'account')) {
      const byKey = await call(keysB.get('owner'), r.method, fill(r.path));
      bad.check(byKey.status === 403 && byKey.body?.code === 'account_required', `${r.key} (key): ${byKey.status} ${byKey.body?.code}`);
      // A token of its own: sign-out ends the session it names.
      const { token } = await memberWithToken(h.prisma, h.app, tenantB, 'viewer');
      const byToken = await call(token, r.method, fill(r.path));
      bad.check(!DENIED.includes(byToken.status), `${r.key} (token): ${byToken.status} ${byToken.body?.code}`);
    }
    expect(bad.found).toEqual([]);
  });

  it('needs nothing on anonymous and public routes', async () => {
    const bad = mismatches();
    const open = routes.filter((r) => r.access === 'anonymous' || r.access === 'public');
    expect(open.map((r) => r.key)).toEqual(expect.arrayContaining(['GET /health/live', 'GET /v1/openapi.json']));
    for (const r of open) {
      const res = await call(undefined, r.method, fill(r.path));
      bad.check(!DENIED.includes(res.status), `${r.key}: ${res.status} ${res.body?.code}`);
    }
    expect(bad.found).toEqual([]);
  });
});

/**
 * How to make, in workspace A, the objects a route's parameters name, and a body that gets a
 * request past validation to the lookup. Keyed by route path; every workspace route with a
 * parameter has an entry (or is in NO_OBJECT, with why).
 */
type Made = { params: Record<string, string | number>; body?: unknown };
type Factory = () => Promise<Made>;

/** Parameters that name no object of a workspace, so there is nothing of A's to name. */
const NO_OBJECT: Record<string, string> = {
  '/v1/secrets/:name': 'a secret is written by name: B writing the name writes its own secret (isolation test: B cannot read A’s)',
};

function factories(): Record<string, Factory> {
  const once = <T>(fn: () => Promise<T>) => {
    let p: Promise<T> | undefined;
    return () => (p ??= fn());
  };
  const workflow = once(() => publishGraph(adminA, helloGraph(), 'a-workflow'));
  const run = once(async () => {
    const id = await workflow();
    const r = await adminA('POST', `/v1/workflows/${id}/runs`, { inputs: { name: 'a' } });
    if (r.status !== 202) throw new Error(JSON.stringify(r.body));
    return { runId: r.body.data.id as string, workflowId: id };
  });
  const approval = once(async () => {
    const { runId, workflowId } = await run();
    const a = openedApproval({ runId, workflowId, tenantId: tenantA });
    await insertApproval(h.prisma, a);
    return { approvalId: a.approvalId, runId, nodeId: a.nodeId };
  });
  const knowledge = once(async () => {
    const r = await adminA('POST', '/v1/knowledge', { name: 'a-knowledge' });
    if (r.status !== 201) throw new Error(JSON.stringify(r.body));
    return r.body.data.id as string;
  });
  const document = once(async () => {
    const kb = await knowledge();
    const r = await adminA('POST', `/v1/knowledge/${kb}/documents`, { documents: [{ name: 'a.txt', text: 'only workspace A knows this' }] });
    if (r.status !== 202) throw new Error(JSON.stringify(r.body));
    return { kb, docId: r.body.data.documents[0].id as string, jobId: r.body.data.jobId as string };
  });
  const member = once(async () => {
    const { accountId } = await memberWithToken(h.prisma, h.app, tenantA, 'developer');
    return (await h.prisma.membership.findFirstOrThrow({ where: { tenantId: tenantA, accountId } })).id;
  });
  const invitation = once(async () => {
    const id = newId('inv');
    await h.prisma.invitation.create({ data: { id, tenantId: tenantA, email: `${id}@example.test`, role: 'viewer', expiresAt: new Date(Date.now() + 86_400_000) } });
    return id;
  });
  const apiKey = once(async () => (await h.prisma.apiKey.findFirstOrThrow({ where: { tenantId: tenantA } })).id);

  const decide = { action: 'approve', values: { reason: 'from B' } };
  return {
    '/v1/workflows/:id': async () => ({ params: { id: await workflow() } }),
    '/v1/workflows/:id/draft': async () => ({ params: { id: await workflow() }, body: { graph: helloGraph() } }),
    '/v1/workflows/:id/validate': async () => ({ params: { id: await workflow() } }),
    '/v1/workflows/:id/publish': async () => ({ params: { id: await workflow() } }),
    '/v1/workflows/:id/versions': async () => ({ params: { id: await workflow() } }),
    '/v1/workflows/:id/versions/:version': async () => ({ params: { id: await workflow(), version: 1 } }),
    '/v1/workflows/:id/runs': async () => ({ params: { id: await workflow() }, body: { inputs: { name: 'b' } } }),
    '/v1/runs/:id': async () => ({ params: { id: (await run()).runId } }),
    '/v1/runs/:id/pause': async () => ({ params: { id: (await run()).runId } }),
    '/v1/runs/:id/resume': async () => ({ params: { id: (await run()).runId } }),
    '/v1/runs/:id/cancel': async () => ({ params: { id: (await run()).runId } }),
    '/v1/runs/:id/nodes': async () => ({ params: { id: (await run()).runId } }),
    '/v1/runs/:id/rerun': async () => ({ params: { id: (await run()).runId }, body: { fromNodeId: 'greet' } }),
    '/v1/runs/:id/events': async () => ({ params: { id: (await run()).runId } }),
    '/v1/runs/:id/history': async () => ({ params: { id: (await run()).runId } }),
    '/v1/approvals/:id': async () => ({ params: { id: (await approval()).approvalId }, body: decide }),
    '/v1/runs/:id/approvals/:nodeId': async () => {
      const a = await approval();
      return { params: { id: a.runId, nodeId: a.nodeId }, body: decide };
    },
    '/v1/knowledge/:id': async () => ({ params: { id: await knowledge() } }),
    '/v1/knowledge/:id/documents': async () => ({ params: { id: await knowledge() }, body: { documents: [{ name: 'b.txt', text: 'from B' }] } }),
    '/v1/knowledge/:id/documents/:docId': async () => {
      const d = await document();
      return { params: { id: d.kb, docId: d.docId }, body: { text: 'from B' } };
    },
    '/v1/knowledge/:id/retrieve': async () => ({ params: { id: await knowledge() }, body: { query: 'what does A know' } }),
    '/v1/ingestion-jobs/:id': async () => ({ params: { id: (await document()).jobId } }),
    '/v1/ingestion-jobs/:id/events': async () => ({ params: { id: (await document()).jobId } }),
    '/v1/ingestion-jobs/:id/retry': async () => ({ params: { id: (await document()).jobId } }),
    '/v1/ingestion-jobs/:id/cancel': async () => ({ params: { id: (await document()).jobId } }),
    '/v1/members/:id': async () => ({ params: { id: await member() }, body: { role: 'viewer' } }),
    '/v1/invitations/:id': async () => ({ params: { id: await invitation() } }),
    '/v1/api-keys/:id': async () => ({ params: { id: await apiKey() } }),
    '/v1/api-keys/:id/rotate': async () => ({ params: { id: await apiKey() } }),
  };
}

describe('across workspaces', () => {
  it('answers 404 to every role allowed in B, by API key and by access token, that names an object of A, on every route with an id', async () => {
    const made = factories();
    const withIds = workspaceRoutes().filter((r) => r.path.includes(':') && !(r.path in NO_OBJECT));
    // A route with a parameter and neither a factory nor a reason fails here, naming itself.
    expect(withIds.filter((r) => !(r.path in made)).map((r) => r.key)).toEqual([]);
    // The table's routes with ids all have a factory.
    const tablePaths = Object.keys(PERMISSIONS).filter((k) => !k.startsWith('action:') && isWorkspace(PERMISSIONS[k as keyof typeof PERMISSIONS])).map((k) => k.split(' ')[1]!);
    expect([...new Set(tablePaths.filter((p) => p.includes(':') && !(p in made) && !(p in NO_OBJECT)))]).toEqual([]);

    const objects = new Map<string, Made>();
    for (const r of withIds) objects.set(r.path, await made[r.path]!());
    const bad = mismatches();
    // Each role of B, with an API key and with an access token.
    const cases = withIds.flatMap((r) => r.access.roles.flatMap((role) => (['key', 'token'] as const).map((kind) => ({ r, role, kind }))));
    await inPool(cases, async ({ r, role, kind }) => {
      const { params, body } = objects.get(r.path)!;
      const res = await call((kind === 'key' ? keysB : tokensB).get(role), r.method, fill(r.path, params), r.method === 'GET' || r.method === 'DELETE' ? undefined : body);
      bad.check(res.status === 404, `${r.key} as ${role} of B (${kind}): ${res.status} ${res.body?.code}`);
    });
    // An account of B with a token naming A's workspace is not let in either.
    const res = await httpClient(h.url, tokensB.get('owner'))('GET', '/v1/workflows', undefined, { 'X-Workspace-Id': tenantA });
    bad.check(res.status === 404 && res.body?.code === 'workspace_not_found', `X-Workspace-Id of A with B's token: ${res.status} ${res.body?.code}`);
    expect(bad.found).toEqual([]);
    // A's objects are as they were: B's calls changed nothing.
    const wf = objects.get('/v1/workflows/:id')!.params.id as string;
    expect((await adminA('GET', `/v1/workflows/${wf}/versions`)).body.data).toHaveLength(1);
    expect(await h.prisma.run.count({ where: { tenantId: tenantB } })).toBe(0);
    expect(await h.prisma.approval.count({ where: { tenantId: tenantA, status: 'pending' } })).toBe(1);
  });
});
