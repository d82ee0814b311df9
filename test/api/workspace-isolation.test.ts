import { Prisma, type Embedder } from '@weft/activities';
import { vectorStoreOf } from '../../apps/api/src/app';
import type { AuditLog } from '../../apps/api/src/audit/audit-log';
import { createTenantKey, newId } from '../../apps/api/src/auth/api-keys';
import { PERMISSIONS, type RouteKey } from '../../apps/api/src/auth/permissions';
import { mountedRoutes } from '../../apps/api/src/http/route';
import { helloGraph } from '../fixtures/graphs';
import { memberWithToken } from '../support/accounts';
import { insertApproval, openedApproval } from '../support/approval-rows';
import { end, graph, start, type N } from '../support/graph-builder';
import { httpClient, publishGraph, resetDatabase, startHarness, type ApiClient, type Harness } from '../support/harness';
import { CORPUS, seedKnowledge, type SeededKnowledge } from '../support/knowledge-seed';

/**
 * Issue 12, "Done when": every object type created in workspace A is invisible and untouchable
 * from workspace B: by id (404), in lists and filters (never there), as a sub-workflow, secret,
 * model provider or knowledge reference in B's graphs (the not-found code), in retrieval. One
 * entry of OBJECT_TYPES per tenant-scoped object type; the guard test below fails for a Prisma
 * model with a tenantId that is neither in OBJECT_TYPES nor in NOT_DIRECTLY_ADDRESSABLE, so a new
 * object type cannot ship without its isolation probe.
 */

/**
 * Models with a tenantId that no route names by id or lists: each is reached only through an object
 * that is in OBJECT_TYPES, whose probe covers it.
 */
const NOT_DIRECTLY_ADDRESSABLE: Record<string, string> = {
  // a node of a run: GET /v1/runs/:id/nodes, /history and rerun go through its run (the Run probe)
  NodeExecution: 'reached only through its run',
  // an attempt of a node execution, shown inside GET /v1/runs/:id/nodes (the Run probe)
  NodeAttempt: 'reached only through its run',
  // a large value of a run's pool, read by the worker and by /v1/runs/:id/nodes of its run (the Run probe)
  RunBlob: 'reached only through its run',
  // one model call of a run: usage of the run (GET /v1/runs/:id) and the workspace totals of GET /v1/usage
  LlmCall: 'reached only through its run and the workspace’s own usage totals',
  // embeddings already paid for, keyed by (tenant, text hash), read only by that tenant's embedder
  EmbeddingCache: 'read only by the embedder, within the tenant',
};

let h: Harness;
/** workspace A: an owner's key (the objects), workspace B: an owner's key (the probes) */
let a: ApiClient;
let b: ApiClient;
let tenantA: string;
let tenantB: string;
let stopWorker: () => Promise<void>;

beforeAll(async () => {
  h = await startHarness('isolation');
  stopWorker = (await h.startWorker()).stop;
  await resetDatabase(h.prisma);
  const ka = await createTenantKey(h.prisma, 'acme', 'owner');
  const kb = await createTenantKey(h.prisma, 'globex', 'owner');
  [tenantA, tenantB] = [ka.tenantId, kb.tenantId];
  a = httpClient(h.url, ka.key);
  b = httpClient(h.url, kb.key);
});
afterAll(async () => {
  // Ingestion jobs here have no ingestion worker; end their executions.
  for (const job of await h.prisma.ingestionJob.findMany({ select: { temporalWorkflowId: true } })) {
    await h.temporal.workflow.getHandle(job.temporalWorkflowId).terminate('test over').catch(() => undefined);
  }
  await stopWorker();
  await h.close();
});

/** Every request of `calls` answers 404 with the code. */
async function expectNotFound(api: ApiClient, calls: readonly (readonly [string, string, unknown?])[], code: RegExp | string) {
  const got = [];
  for (const [method, path, body] of calls) {
    const r = await api(method, path, body);
    got.push([method, path, r.status, r.body?.code]);
  }
  expect(got).toEqual(calls.map(([method, path]) => [method, path, 404, typeof code === 'string' ? code : expect.stringMatching(code)]));
}

/** The ids of every item of a list route (pages of 100 until the last). */
async function listed(api: ApiClient, path: string): Promise<string[]> {
  const ids: string[] = [];
  for (let page = 1; ; page++) {
    const r = await api('GET', `${path}${path.includes('?') ? '&' : '?'}limit=100&page=${page}`);
    expect([path, r.status]).toEqual([path, 200]);
    ids.push(...(r.body.data as { id?: string; name?: string }[]).map((x) => x.id ?? x.name!));
    if (!r.body.pagination.has_next) return ids;
  }
}

/** Publishes B's graph and runs it to its end (blocking): the run's record. */
async function runInB(g: unknown) {
  const id = await publishGraph(b, g, 'b-probe');
  const r = await b('POST', `/v1/workflows/${id}/runs`, { mode: 'blocking', timeoutMs: 60_000 });
  expect(r.status).toBe(200);
  return r.body.data as { status: string; error?: { code: string; message: string; nodeId?: string } };
}

// Objects of A that several probes share, made once.
const once = <T>(fn: () => Promise<T>) => {
  let p: Promise<T> | undefined;
  return () => (p ??= fn());
};
const workflowOfA = once(() => publishGraph(a, helloGraph('0ms'), 'a-only-plan'));
const runOfA = once(async () => {
  const workflowId = await workflowOfA();
  const r = await a('POST', `/v1/workflows/${workflowId}/runs`, { inputs: { name: 'A' }, mode: 'blocking', timeoutMs: 60_000 });
  expect([r.status, r.body.data.status]).toEqual([200, 'succeeded']);
  return { runId: r.body.data.id as string, workflowId };
});
const knowledgeOfA = once(() =>
  seedKnowledge({ prisma: h.prisma, vectors: vectorStoreOf(h.app), embedder: undefined as unknown as Embedder }, { tenantId: tenantA, name: 'a-only-handbook', indexing: 'economy', documents: CORPUS }),
);

interface ObjectType {
  /** the routes its probes call (all mounted: checked below) */
  routes: readonly RouteKey[];
  /** makes one in A, probes it from B, and checks A still has it as it was */
  isolated(): Promise<void>;
}

/** Every tenant-scoped object type, by Prisma model. */
const OBJECT_TYPES: Record<string, ObjectType> = {
  Workflow: {
    routes: ['GET /v1/workflows', 'GET /v1/workflows/:id', 'PUT /v1/workflows/:id/draft', 'POST /v1/workflows/:id/validate', 'POST /v1/workflows/:id/publish', 'GET /v1/workflows/:id/versions', 'POST /v1/workflows/:id/runs'],
    async isolated() {
      const id = await workflowOfA();
      await expectNotFound(
        b,
        [
          ['GET', `/v1/workflows/${id}`],
          ['PUT', `/v1/workflows/${id}/draft`, { graph: helloGraph() }],
          ['POST', `/v1/workflows/${id}/validate`],
          ['POST', `/v1/workflows/${id}/publish`],
          ['GET', `/v1/workflows/${id}/versions`],
          ['POST', `/v1/workflows/${id}/runs`, { inputs: { name: 'B' } }],
        ],
        'workflow_not_found',
      );
      expect(await listed(b, '/v1/workflows')).not.toContain(id);
      expect(await listed(b, '/v1/workflows?name=a-only')).toEqual([]);
      expect(await listed(a, '/v1/workflows?name=a-only')).toEqual([id]);
      // As a sub-workflow of B's graph, latest or pinned: refused before anything runs.
      for (const version of [undefined, 1]) {
        const g = graph([start, { id: 'call', type: 'sub-workflow', data: { workflowId: id, ...(version ? { version } : {}), inputs: { name: 'B' } } }, end({ out: '{{ call.greeting }}' })], [['start', 'call'], ['call', 'end']]);
        const wf = await publishGraph(b, g, 'b-calls-a');
        const r = await b('POST', `/v1/workflows/${wf}/runs`, {});
        expect([r.status, r.body.code]).toEqual([422, 'sub_workflow_not_found']);
      }
      expect(await h.prisma.run.count({ where: { tenantId: tenantB } })).toBe(0);
      const mine = await a('GET', `/v1/workflows/${id}/versions`);
      expect(mine.body.data).toHaveLength(1);
    },
  },
  WorkflowVersion: {
    routes: ['GET /v1/workflows/:id/versions/:version'],
    async isolated() {
      const id = await workflowOfA();
      await expectNotFound(b, [['GET', `/v1/workflows/${id}/versions/1`]], /^workflow(_version)?_not_found$/);
      expect((await a('GET', `/v1/workflows/${id}/versions/1`)).status).toBe(200);
    },
  },
  Run: {
    routes: ['GET /v1/runs', 'GET /v1/runs/:id', 'GET /v1/runs/:id/nodes', 'GET /v1/runs/:id/events', 'GET /v1/runs/:id/history', 'POST /v1/runs/:id/pause', 'POST /v1/runs/:id/resume', 'POST /v1/runs/:id/cancel', 'POST /v1/runs/:id/rerun'],
    async isolated() {
      const { runId, workflowId } = await runOfA();
      await expectNotFound(
        b,
        [
          ['GET', `/v1/runs/${runId}`],
          ['GET', `/v1/runs/${runId}/nodes`],
          ['GET', `/v1/runs/${runId}/events`],
          ['GET', `/v1/runs/${runId}/history`],
          ['POST', `/v1/runs/${runId}/pause`],
          ['POST', `/v1/runs/${runId}/resume`],
          ['POST', `/v1/runs/${runId}/cancel`],
          ['POST', `/v1/runs/${runId}/rerun`, { fromNodeId: 'greet' }],
        ],
        'run_not_found',
      );
      expect(await listed(b, '/v1/runs')).not.toContain(runId);
      for (const filter of [`workflowId=${workflowId}`, `parentRunId=${runId}`, `originRunId=${runId}`]) expect(await listed(b, `/v1/runs?${filter}`)).toEqual([]);
      expect(await listed(a, `/v1/runs?workflowId=${workflowId}`)).toEqual([runId]);
      expect((await a('GET', `/v1/runs/${runId}/nodes`)).body.data.length).toBeGreaterThan(0);
    },
  },
  Secret: {
    routes: ['PUT /v1/secrets/:name', 'GET /v1/secrets'],
    async isolated() {
      expect((await a('PUT', '/v1/secrets/A_ONLY_TOKEN', { value: 'a-only-secret-value' })).status).toBeLessThan(300);
      expect(await listed(b, '/v1/secrets')).not.toContain('A_ONLY_TOKEN');
      const peek = (): N => ({
        id: 'peek',
        type: 'code',
        data: { language: 'javascript', code: "function main(i) { return { seen: i.t.length > 0, mine: i.t === 'a-only-secret-value' }; }", inputs: { t: '{{ secrets.A_ONLY_TOKEN }}' } },
      });
      const g = graph([start, peek(), end({ seen: '{{ peek.seen }}', mine: '{{ peek.mine }}' })], [['start', 'peek'], ['peek', 'end']]);
      // B's run cannot read it; the same graph in A can (the reference itself works).
      expect(await runInB(g)).toMatchObject({ status: 'failed', error: { code: 'secret_not_found', nodeId: 'peek' } });
      const wf = await publishGraph(a, g, 'a-reads-its-secret');
      const runInA = async () => (await a('POST', `/v1/workflows/${wf}/runs`, { mode: 'blocking', timeoutMs: 60_000 })).body.data;
      expect(await runInA()).toMatchObject({ status: 'succeeded', outputs: { seen: true, mine: true } });
      // B writing the same name writes B's own secret: A's value is untouched.
      expect((await b('PUT', '/v1/secrets/A_ONLY_TOKEN', { value: 'b-writes-its-own' })).status).toBeLessThan(300);
      expect(await runInA()).toMatchObject({ status: 'succeeded', outputs: { seen: true, mine: true } });
    },
  },
  ModelProvider: {
    routes: ['POST /v1/model-providers', 'GET /v1/model-providers', 'POST /v1/knowledge'],
    async isolated() {
      expect((await a('POST', '/v1/model-providers', { name: 'a-only-llm', type: 'openai', apiKey: 'sk-a-only-provider-key' })).status).toBe(201);
      expect((await b('GET', '/v1/model-providers')).body.data.map((p: { name: string }) => p.name)).not.toContain('a-only-llm');
      // B's llm node naming it fails at once, calling no model.
      const ask: N = { id: 'ask', type: 'llm', data: { model: 'gpt-test', provider: 'a-only-llm', messages: [{ role: 'user', content: 'hi' }] }, retry: { maxAttempts: 1, initialInterval: '100ms' } };
      expect(await runInB(graph([start, ask, end({ text: '{{ ask.text }}' })], [['start', 'ask'], ['ask', 'end']]))).toMatchObject({
        status: 'failed',
        error: { code: 'llm_provider_not_found', nodeId: 'ask' },
      });
      // Nor can B's knowledge embed through it.
      const kb = await b('POST', '/v1/knowledge', { name: 'b-hq', indexing: 'high-quality', embedding: { provider: 'a-only-llm', model: 'text-embedding-3-small', dimensions: 64 } });
      expect([kb.status, kb.body.code]).toEqual([422, 'embedding_provider_not_found']);
    },
  },
  Approval: {
    routes: ['GET /v1/approvals', 'GET /v1/approvals/:id', 'POST /v1/approvals/:id', 'POST /v1/runs/:id/approvals/:nodeId'],
    async isolated() {
      const { runId, workflowId } = await runOfA();
      const opened = openedApproval({ runId, workflowId, tenantId: tenantA });
      await insertApproval(h.prisma, opened);
      const decide = { action: 'approve', values: { reason: 'from B' } };
      await expectNotFound(
        b,
        [
          ['GET', `/v1/approvals/${opened.approvalId}`],
          ['POST', `/v1/approvals/${opened.approvalId}`, decide],
        ],
        'approval_not_found',
      );
      await expectNotFound(b, [['POST', `/v1/runs/${runId}/approvals/${opened.nodeId}`, decide]], /^(run|approval)_not_found$/);
      expect(await listed(b, '/v1/approvals')).not.toContain(opened.approvalId);
      for (const filter of [`runId=${runId}`, `workflowId=${workflowId}`, 'status=pending']) expect(await listed(b, `/v1/approvals?${filter}`)).toEqual([]);
      expect((await a('GET', `/v1/approvals/${opened.approvalId}`)).body.data).toMatchObject({ status: 'pending' });
    },
  },
  Knowledge: {
    routes: ['GET /v1/knowledge', 'GET /v1/knowledge/:id', 'DELETE /v1/knowledge/:id', 'POST /v1/knowledge/:id/documents', 'GET /v1/knowledge/:id/documents', 'POST /v1/knowledge/:id/retrieve'],
    async isolated() {
      const { knowledgeId: kb } = await knowledgeOfA();
      await expectNotFound(
        b,
        [
          ['GET', `/v1/knowledge/${kb}`],
          ['DELETE', `/v1/knowledge/${kb}`],
          ['POST', `/v1/knowledge/${kb}/documents`, { documents: [{ name: 'b.txt', text: 'from B' }] }],
          ['GET', `/v1/knowledge/${kb}/documents`],
          ['POST', `/v1/knowledge/${kb}/retrieve`, { query: 'weft thread' }],
        ],
        'knowledge_not_found',
      );
      expect(await listed(b, '/v1/knowledge')).not.toContain(kb);
      expect(await listed(b, '/v1/knowledge?name=a-only-handbook')).toEqual([]);
      // B's knowledge-retrieval node naming it fails with the not-found code.
      const search: N = { id: 'search', type: 'knowledge-retrieval', data: { knowledgeIds: [kb], query: 'weft thread', topK: 1 }, retry: { maxAttempts: 1, initialInterval: '100ms' } };
      expect(await runInB(graph([start, search, end({ r: '{{ search.results }}' })], [['start', 'search'], ['search', 'end']]))).toMatchObject({
        status: 'failed',
        error: { code: 'knowledge_not_found', nodeId: 'search' },
      });
      expect((await a('GET', `/v1/knowledge/${kb}`)).status).toBe(200);
    },
  },
  KnowledgeDocument: {
    routes: ['GET /v1/knowledge/:id/documents/:docId', 'PUT /v1/knowledge/:id/documents/:docId', 'DELETE /v1/knowledge/:id/documents/:docId', 'GET /v1/knowledge/:id/documents'],
    async isolated() {
      const seeded = await knowledgeOfA();
      const doc = seeded.documents[0]!.id;
      const own = await b('POST', '/v1/knowledge', { name: 'b-own-docs' });
      expect(own.status).toBe(201);
      // Through A's knowledge, and through B's own knowledge with A's document id.
      for (const kb of [seeded.knowledgeId, own.body.data.id as string]) {
        await expectNotFound(
          b,
          [
            ['GET', `/v1/knowledge/${kb}/documents/${doc}`],
            ['PUT', `/v1/knowledge/${kb}/documents/${doc}`, { text: 'from B' }],
            ['DELETE', `/v1/knowledge/${kb}/documents/${doc}`],
          ],
          /^(knowledge|document)_not_found$/,
        );
      }
      expect(await listed(b, `/v1/knowledge/${own.body.data.id}/documents`)).toEqual([]);
      expect((await a('GET', `/v1/knowledge/${seeded.knowledgeId}/documents/${doc}`)).body.data).toMatchObject({ status: 'completed' });
    },
  },
  KnowledgeSegment: {
    routes: ['POST /v1/knowledge/:id/retrieve'],
    async isolated() {
      const seededA = await knowledgeOfA();
      // B's own knowledge, on the same vector store, with text close to A's.
      const seededB: SeededKnowledge = await seedKnowledge(
        { prisma: h.prisma, vectors: vectorStoreOf(h.app), embedder: undefined as unknown as Embedder },
        { tenantId: tenantB, name: 'b-only-notes', indexing: 'economy', documents: [{ name: 'b.md', text: 'Looms of B weave cloth.\n\nB keeps its own threads.' }] },
      );
      const query = { query: 'weft thread warp loom weaves cloth', topK: 10, mode: 'full-text' };
      const mine = await a('POST', `/v1/knowledge/${seededA.knowledgeId}/retrieve`, query);
      expect(mine.body.data.results.map((r: { documentId: string }) => r.documentId)).toContain(seededA.documents.find((d) => d.name === 'weaving.md')!.id);
      const theirs = await b('POST', `/v1/knowledge/${seededB.knowledgeId}/retrieve`, query);
      expect(theirs.status).toBe(200);
      const aSegments = new Set(seededA.documents.flatMap((d) => d.segmentIds));
      const results = theirs.body.data.results as { knowledgeId: string; segmentId: string }[];
      expect(results.length).toBeGreaterThan(0);
      expect(results.filter((r) => r.knowledgeId !== seededB.knowledgeId || aSegments.has(r.segmentId))).toEqual([]);
    },
  },
  IngestionJob: {
    routes: ['GET /v1/ingestion-jobs', 'GET /v1/ingestion-jobs/:id', 'GET /v1/ingestion-jobs/:id/events', 'POST /v1/ingestion-jobs/:id/retry', 'POST /v1/ingestion-jobs/:id/cancel'],
    async isolated() {
      const { knowledgeId: kb } = await knowledgeOfA();
      const up = await a('POST', `/v1/knowledge/${kb}/documents`, { documents: [{ name: 'job.txt', text: 'a job of A' }] });
      expect(up.status).toBe(202);
      const job = up.body.data.jobId as string;
      await expectNotFound(
        b,
        [
          ['GET', `/v1/ingestion-jobs/${job}`],
          ['GET', `/v1/ingestion-jobs/${job}/events`],
          ['POST', `/v1/ingestion-jobs/${job}/retry`],
          ['POST', `/v1/ingestion-jobs/${job}/cancel`],
        ],
        'ingestion_job_not_found',
      );
      expect(await listed(b, '/v1/ingestion-jobs')).not.toContain(job);
      expect(await listed(b, `/v1/ingestion-jobs?knowledgeId=${kb}`)).toEqual([]);
      expect((await a('GET', `/v1/ingestion-jobs/${job}`)).body.data).toMatchObject({ id: job, status: 'queued' });
    },
  },
  Membership: {
    routes: ['GET /v1/members', 'PATCH /v1/members/:id', 'DELETE /v1/members/:id'],
    async isolated() {
      const { accountId, token } = await memberWithToken(h.prisma, h.app, tenantA, 'developer');
      const member = await h.prisma.membership.findFirstOrThrow({ where: { tenantId: tenantA, accountId } });
      await expectNotFound(
        b,
        [
          ['PATCH', `/v1/members/${member.id}`, { role: 'owner' }],
          ['DELETE', `/v1/members/${member.id}`],
        ],
        /_not_found$/,
      );
      const ids = JSON.stringify((await b('GET', '/v1/members?limit=100')).body);
      expect([ids.includes(member.id), ids.includes(accountId)]).toEqual([false, false]);
      expect(await h.prisma.membership.findUniqueOrThrow({ where: { id: member.id } })).toMatchObject({ role: 'developer' });
      // A's member, naming B's workspace, is not let in.
      const r = await httpClient(h.url, token)('GET', '/v1/workflows', undefined, { 'X-Workspace-Id': tenantB });
      expect([r.status, r.body.code]).toEqual([404, 'workspace_not_found']);
    },
  },
  Invitation: {
    routes: ['GET /v1/invitations', 'DELETE /v1/invitations/:id'],
    async isolated() {
      const id = newId('inv');
      await h.prisma.invitation.create({ data: { id, tenantId: tenantA, email: 'a-only-invitee@example.test', role: 'viewer', expiresAt: new Date(Date.now() + 86_400_000) } });
      await expectNotFound(b, [['DELETE', `/v1/invitations/${id}`]], /_not_found$/);
      expect(JSON.stringify((await b('GET', '/v1/invitations?limit=100')).body)).not.toMatch(new RegExp(`${id}|a-only-invitee`));
      expect(await h.prisma.invitation.findUniqueOrThrow({ where: { id } })).toMatchObject({ revokedAt: null });
    },
  },
  ApiKey: {
    routes: ['GET /v1/api-keys', 'POST /v1/api-keys/:id/rotate', 'DELETE /v1/api-keys/:id'],
    async isolated() {
      const key = await createTenantKey(h.prisma, 'acme', 'viewer');
      const row = await h.prisma.apiKey.findFirstOrThrow({ where: { tenantId: tenantA, prefix: key.key.slice(0, 7), role: 'viewer' } });
      await expectNotFound(
        b,
        [
          ['POST', `/v1/api-keys/${row.id}/rotate`],
          ['DELETE', `/v1/api-keys/${row.id}`],
        ],
        /_not_found$/,
      );
      expect(JSON.stringify((await b('GET', '/v1/api-keys?limit=100')).body)).not.toContain(row.id);
      expect((await httpClient(h.url, key.key)('GET', '/v1/workflows')).status).toBe(200);
    },
  },
  AuditEntry: {
    routes: ['GET /v1/audit'],
    async isolated() {
      const objectId = newId('wf');
      await (h.app.locals.audit as AuditLog).record({ tenantId: tenantA, actor: { type: 'system' }, action: 'workflow.create', objectType: 'workflow', objectId });
      expect(JSON.stringify((await a('GET', '/v1/audit?limit=100')).body)).toContain(objectId);
      for (const path of ['/v1/audit?limit=100', `/v1/audit?objectId=${objectId}`, '/v1/audit?action=workflow.create']) {
        const r = await b('GET', path);
        expect([path, r.status, JSON.stringify(r.body).includes(objectId)]).toEqual([path, 200, false]);
      }
    },
  },
  WorkspaceQuota: {
    routes: ['GET /v1/quotas', 'PUT /v1/quotas'],
    async isolated() {
      await h.prisma.workspaceQuota.upsert({ where: { tenantId: tenantA }, create: { tenantId: tenantA, runsPerDay: 4242 }, update: { runsPerDay: 4242 } });
      const r = await b('GET', '/v1/quotas');
      expect(r.status).toBe(200);
      expect(JSON.stringify(r.body)).not.toMatch(new RegExp(`4242|${tenantA}`));
      // B's own quota is B's: A's stays as it was.
      await b('PUT', '/v1/quotas', { runsPerDay: 7 });
      expect(await h.prisma.workspaceQuota.findUniqueOrThrow({ where: { tenantId: tenantA } })).toMatchObject({ runsPerDay: 4242 });
    },
  },
};

describe('the registry of object types', () => {
  it('names every Prisma model with a tenantId, or says why it cannot be named by a route', () => {
    const tenantScoped = Prisma.dmmf.datamodel.models.filter((m) => m.fields.some((f) => f.name === 'tenantId')).map((m) => m.name);
    const missing = tenantScoped.filter((m) => !(m in OBJECT_TYPES) && !(m in NOT_DIRECTLY_ADDRESSABLE));
    // A new tenant-scoped model fails here: add its isolation probe to OBJECT_TYPES.
    expect({ 'not in OBJECT_TYPES': missing }).toEqual({ 'not in OBJECT_TYPES': [] });
    const known = [...Object.keys(OBJECT_TYPES), ...Object.keys(NOT_DIRECTLY_ADDRESSABLE)];
    expect(known.filter((m) => !tenantScoped.includes(m))).toEqual([]);
    expect(Object.keys(OBJECT_TYPES).filter((m) => m in NOT_DIRECTLY_ADDRESSABLE)).toEqual([]);
    for (const [model, type] of Object.entries(OBJECT_TYPES)) expect([model, type.routes.filter((r) => !(r in PERMISSIONS))]).toEqual([model, []]);
  });

  it('mounts the routes of every type', () => {
    const mounted = new Set(mountedRoutes(h.app).routes.map((r) => `${r.method.toUpperCase()} ${r.path}`));
    const unmounted = Object.entries(OBJECT_TYPES).flatMap(([model, type]) => type.routes.filter((r) => !mounted.has(r)).map((r) => `${model}: ${r}`));
    expect(unmounted).toEqual([]);
  });
});

describe('an object of workspace A, seen from workspace B', () => {
  it.each(Object.keys(OBJECT_TYPES))('%s: invisible and untouchable', async (model) => {
    await OBJECT_TYPES[model]!.isolated();
  });
});
