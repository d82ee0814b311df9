import { FormTokens, type AuditEntry } from '@weft/activities';
import { ingestionWorkflowIdFor } from '@weft/domain';
import type { AuditLog } from '../../apps/api/src/audit/audit-log';
import { hashApiKey } from '../../apps/api/src/auth/api-keys';
import { memberWithToken } from '../support/accounts';
import { end, graph, start } from '../support/graph-builder';
import { eventually, httpClient, useSuiteHarness, type ApiClient } from '../support/harness';
import { testEnv } from '../support/test-env';

// The audit log over HTTP against the real stack: every change made through the existing routes
// (workflows, secrets, providers, knowledge, documents, ingestion jobs, run control) and every
// approval decision (API key, account, signed form link) leaves one entry with its actor, object,
// request id and a before/after that never holds a secret value; GET /v1/audit filters them for
// owners and admins of the workspace only; the table itself refuses to change.
const suite = useSuiteHarness('audit');
let api: ApiClient; // an admin key of acme
let keyId: string;
let tenantId: string;
const SECRET_VALUE = 'plain-secret-4c1f9e2a-never-stored';
const PROVIDER_KEY = 'sk-providerkey-7b3d0c5e91a84f26';
const PERSONAL = 'personal-answer-5e8a';
const GRAPH_MARKER = 'graph-text-93d1be';
const forms = new FormTokens(testEnv.encryptionKey);

beforeAll(async () => {
  const key = await suite.h.key('acme');
  api = httpClient(suite.h.url, key);
  const row = await suite.h.prisma.apiKey.findUniqueOrThrow({ where: { hash: hashApiKey(key) } });
  [keyId, tenantId] = [row.id, row.tenantId];
});

const requestIdOf = (r: { headers: Headers }) => r.headers.get('x-request-id')!;
/** The one entry a request left (its X-Request-Id), checked to be the only one. */
async function entryOf(r: { headers: Headers }): Promise<AuditEntry> {
  const rows = await suite.h.prisma.auditEntry.findMany({ where: { tenantId, requestId: requestIdOf(r) } });
  expect(rows.map((e) => e.action)).toHaveLength(1);
  return rows[0]!;
}
const byKey = () => ({ actorType: 'api_key', actorId: keyId });
/** An entry or entries as JSON text (the id is a BigInt). */
const json = (value: unknown) => JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
const allEntriesText = async () => json(await suite.h.prisma.auditEntry.findMany({ where: { tenantId } }));

describe('audit entries of workflow changes', () => {
  it('records create, draft update and publish with graph summaries, not graphs; a refused change leaves none', async () => {
    const g = graph([start, end({ says: GRAPH_MARKER })], [['start', 'end']]);
    const created = await api('POST', '/v1/workflows', { name: 'audited', graph: g }, { 'x-request-id': 'req-audit-create-1' });
    expect(created.status).toBe(201);
    const wf = created.body.data.id as string;
    const create = await entryOf(created);
    expect(create).toMatchObject({
      ...byKey(),
      action: 'workflow.create',
      objectType: 'workflow',
      objectId: wf,
      requestId: 'req-audit-create-1',
      before: null,
      after: { name: 'audited', draft: { nodes: 2, edges: 1, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) } },
    });

    const g2 = graph([start, end({ says: GRAPH_MARKER, more: 1 }, 'done')], [['start', 'done']]);
    const updated = await api('PUT', `/v1/workflows/${wf}/draft`, { graph: g2 });
    expect(updated.status).toBe(200);
    const update = await entryOf(updated);
    expect(update).toMatchObject({ action: 'workflow.update_draft', objectType: 'workflow', objectId: wf, before: { name: 'audited', draft: (create.after as any).draft } });
    expect((update.after as any).draft.sha256).not.toBe((create.after as any).draft.sha256);

    const published = await api('POST', `/v1/workflows/${wf}/publish`);
    expect(published.status).toBe(201);
    const version = await suite.h.prisma.workflowVersion.findFirstOrThrow({ where: { workflowId: wf, version: 1 } });
    expect(await entryOf(published)).toMatchObject({
      ...byKey(),
      action: 'workflow.publish',
      objectType: 'workflow_version',
      objectId: version.id,
      before: { workflowId: wf, latestVersion: null },
      after: { workflowId: wf, name: 'audited', version: 1, graph: { nodes: 2, edges: 1 } },
    });

    const refused = await api('PUT', `/v1/workflows/${wf}/draft`, { graph: { nodes: [] } });
    expect(refused.status).toBe(422);
    expect(await suite.h.prisma.auditEntry.count({ where: { tenantId, requestId: requestIdOf(refused) } })).toBe(0);
    expect(await allEntriesText()).not.toContain(GRAPH_MARKER);

    // As GET /v1/audit shows it: the id a string, the actor, the request id of the change.
    const listed = await api('GET', `/v1/audit?objectId=${wf}&action=workflow.create`);
    expect(listed.status).toBe(200);
    expect(listed.body.data).toEqual([
      {
        id: create.id.toString(),
        actor: { type: 'api_key', id: keyId },
        action: 'workflow.create',
        objectType: 'workflow',
        objectId: wf,
        requestId: 'req-audit-create-1',
        before: null,
        after: create.after,
        createdAt: create.createdAt.toISOString(),
      },
    ]);
    expect(listed.body.data[0].id).toMatch(/^\d+$/);
  });
});

describe('audit entries of secrets and model providers', () => {
  it('records a secret by name (whether it existed), a provider without its key; no entry holds either', async () => {
    const first = await api('PUT', '/v1/secrets/AUDITED_TOKEN', { value: SECRET_VALUE });
    expect(first.status).toBe(200);
    expect(await entryOf(first)).toMatchObject({ ...byKey(), action: 'secret.put', objectType: 'secret', objectId: 'AUDITED_TOKEN', before: { existed: false }, after: { name: 'AUDITED_TOKEN', existed: true } });
    const again = await api('PUT', '/v1/secrets/AUDITED_TOKEN', { value: `${SECRET_VALUE}-2` });
    expect((await entryOf(again)).before).toEqual({ existed: true });

    const provider = await api('POST', '/v1/model-providers', { name: 'audited-llm', type: 'openai', baseUrl: 'https://llm.example.test/v1', apiKey: PROVIDER_KEY });
    expect(provider.status).toBe(201);
    expect(await entryOf(provider)).toMatchObject({
      ...byKey(),
      action: 'model_provider.create',
      objectType: 'model_provider',
      objectId: provider.body.data.id,
      after: { name: 'audited-llm', type: 'openai', baseUrl: 'https://llm.example.test/v1' },
    });
    // A duplicate is refused (409) and leaves no entry: the transaction that would have kept it is undone.
    const duplicate = await api('POST', '/v1/model-providers', { name: 'audited-llm', type: 'openai', apiKey: PROVIDER_KEY });
    expect(duplicate.status).toBe(409);
    expect(await suite.h.prisma.auditEntry.count({ where: { tenantId, requestId: requestIdOf(duplicate) } })).toBe(0);

    const text = await allEntriesText();
    for (const plain of [SECRET_VALUE, PROVIDER_KEY, 'providerkey']) expect(text).not.toContain(plain);
  });

  it('blanks credential fields and credential-looking text in whatever a recorder is given', async () => {
    const audit = suite.h.app.locals.audit as AuditLog;
    const requestId = `req-guard-${Date.now()}`;
    await audit.record({
      tenantId,
      actor: { type: 'system' },
      action: 'test.guard',
      objectType: 'test',
      requestId,
      before: { name: 'k', apiKey: PROVIDER_KEY, password: 'hunter2-audit', nested: { refresh_token: 'rt-audit-1', value: SECRET_VALUE } },
      after: { note: `rotated to ${PROVIDER_KEY}` },
    });
    const row = await suite.h.prisma.auditEntry.findFirstOrThrow({ where: { tenantId, requestId } });
    expect(row.before).toEqual({ name: 'k', apiKey: '[REDACTED]', password: '[REDACTED]', nested: { refresh_token: '[REDACTED]', value: '[REDACTED]' } });
    expect(row.after).toEqual({ note: 'rotated to [REDACTED]' });
  });
});

describe('audit entries of knowledge, documents and ingestion jobs', () => {
  it('records create, upload, retry, cancel, replace and deletes with names and ids, never content', async () => {
    const created = await api('POST', '/v1/knowledge', { name: 'audited-kb' });
    expect(created.status).toBe(201);
    const kb = created.body.data.id as string;
    expect(await entryOf(created)).toMatchObject({ ...byKey(), action: 'knowledge.create', objectType: 'knowledge', objectId: kb, after: { name: 'audited-kb', indexing: 'economy' } });

    const content = 'document content d7a2c1';
    const uploaded = await api('POST', `/v1/knowledge/${kb}/documents`, { documents: [{ name: 'one.txt', text: content }, { name: 'two.txt', text: 'two' }] });
    expect(uploaded.status).toBe(202);
    const { jobId, documents } = uploaded.body.data;
    expect(await entryOf(uploaded)).toMatchObject({
      action: 'document.upload',
      objectType: 'knowledge',
      objectId: kb,
      after: { jobId, documentCount: 2, documents: documents.map((d: any) => ({ id: d.id, name: d.name })), skipped: 0 },
    });
    // The same bytes again: nothing stored, no entry.
    const repeat = await api('POST', `/v1/knowledge/${kb}/documents`, { documents: [{ name: 'again.txt', text: content }] });
    expect(repeat.status).toBe(200);
    expect(await suite.h.prisma.auditEntry.count({ where: { tenantId, requestId: requestIdOf(repeat) } })).toBe(0);

    // No ingestion worker here: a job whose workflow was terminated is retried, then cancelled.
    await suite.h.temporal.workflow.getHandle(ingestionWorkflowIdFor(jobId, 1)).terminate('audit test');
    const retried = await api('POST', `/v1/ingestion-jobs/${jobId}/retry`);
    expect(retried.status).toBe(202);
    expect(await entryOf(retried)).toMatchObject({
      action: 'ingestion_job.retry',
      objectType: 'ingestion_job',
      objectId: jobId,
      before: { knowledgeId: kb, status: 'completed-with-errors', attempt: 1 },
      after: { knowledgeId: kb, status: 'queued', attempt: 2, documents: 2 },
    });
    await suite.h.temporal.workflow.getHandle(ingestionWorkflowIdFor(jobId, 2)).terminate('audit test');
    const cancelled = await api('POST', `/v1/ingestion-jobs/${jobId}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(await entryOf(cancelled)).toMatchObject({ action: 'ingestion_job.cancel', objectId: jobId, before: { status: 'queued', attempt: 2 }, after: { status: 'cancelled', attempt: 2 } });
    // Cancelled already: nothing changes, nothing is recorded.
    const again = await api('POST', `/v1/ingestion-jobs/${jobId}/cancel`);
    expect(again.status).toBe(200);
    expect(await suite.h.prisma.auditEntry.count({ where: { tenantId, requestId: requestIdOf(again) } })).toBe(0);

    const doc = documents[0].id as string;
    const replaced = await api('PUT', `/v1/knowledge/${kb}/documents/${doc}`, { name: 'one-fixed.txt', text: 'fixed content 61b0' });
    expect(replaced.status).toBe(200);
    expect(await entryOf(replaced)).toMatchObject({
      action: 'document.replace',
      objectType: 'document',
      objectId: doc,
      before: { knowledgeId: kb, name: 'one.txt', format: 'txt', size: content.length, status: 'error' },
      after: { knowledgeId: kb, name: 'one-fixed.txt', format: 'txt', size: 18 },
    });
    const removed = await api('DELETE', `/v1/knowledge/${kb}/documents/${documents[1].id}`);
    expect(removed.status).toBe(200);
    expect(await entryOf(removed)).toMatchObject({ action: 'document.delete', objectType: 'document', objectId: documents[1].id, before: { knowledgeId: kb, name: 'two.txt' } });
    const dropped = await api('DELETE', `/v1/knowledge/${kb}`);
    expect(dropped.status).toBe(200);
    expect(await entryOf(dropped)).toMatchObject({ action: 'knowledge.delete', objectType: 'knowledge', objectId: kb, before: { name: 'audited-kb' }, after: null });

    const text = await allEntriesText();
    for (const plain of [content, 'fixed content 61b0']) expect(text).not.toContain(plain);
  });
});

describe('audit entries of approval decisions and run control', () => {
  const gated = graph(
    [start, { id: 'gate', type: 'approval', data: { prompt: 'Go?', timeout: '1h', fields: { reason: { type: 'text' } } } }, end({ action: '{{ gate.action }}' })],
    [['start', 'gate'], ['gate', 'end', 'approve']],
  );
  let workflowId: string;
  beforeAll(async () => {
    const created = await api('POST', '/v1/workflows', { name: 'gated', graph: gated });
    workflowId = created.body.data.id;
    expect((await api('POST', `/v1/workflows/${workflowId}/publish`)).status).toBe(201);
  });
  const waitingRun = async () => {
    const r = await api('POST', `/v1/workflows/${workflowId}/runs`, {});
    expect(r.status).toBe(202);
    const runId = r.body.data.id as string;
    const approval = await eventually(async () => (await suite.h.prisma.approval.findFirst({ where: { runId, status: 'pending' } })) ?? false, 30_000, 100);
    return { runId, approval };
  };
  const ended = (runId: string) =>
    eventually(async () => {
      const run = (await api('GET', `/v1/runs/${runId}`)).body.data;
      return ['succeeded', 'failed', 'cancelled'].includes(run.status) && run;
    }, 30_000, 100);

  it('records a decision by API key, by account and through a signed form link, after the run took it', async () => {
    const byApi = await waitingRun();
    const decided = await api('POST', `/v1/approvals/${byApi.approval.id}`, { action: 'approve', values: { reason: PERSONAL }, comment: 'looks right' });
    expect(decided.status).toBe(200);
    const entry = await entryOf(decided);
    expect(entry).toMatchObject({
      ...byKey(),
      action: 'approval.decide',
      objectType: 'approval',
      objectId: byApi.approval.id,
      before: { runId: byApi.runId, nodeId: 'gate', status: 'pending' },
      after: { status: 'decided', action: 'approve', comment: 'looks right', fields: ['reason'], role: 'admin' },
    });
    // The values a person gave are kept by the approval, not by the log: only their names are.
    expect(json(entry)).not.toContain(PERSONAL);

    const person = await memberWithToken(suite.h.prisma, suite.h.app, tenantId, 'operator');
    const byAccount = await waitingRun();
    const atNode = await httpClient(suite.h.url, person.token)('POST', `/v1/runs/${byAccount.runId}/approvals/gate`, { action: 'approve' });
    expect(atNode.status).toBe(200);
    expect(await entryOf(atNode)).toMatchObject({
      actorType: 'account',
      actorId: person.accountId,
      action: 'approval.decide',
      objectId: byAccount.approval.id,
      after: { status: 'decided', action: 'approve', comment: null, fields: ['reason'], role: 'operator' },
    });

    const byLink = await waitingRun();
    const token = forms.sign(byLink.approval.id, byLink.approval.expiresAt);
    const viaForm = await httpClient(suite.h.url)('POST', `/v1/forms/${token}`, { action: 'approve', comment: 'from the mail' });
    expect(viaForm.status).toBe(200);
    const formEntry = await entryOf(viaForm);
    expect(formEntry).toMatchObject({ actorType: 'form_link', actorId: byLink.approval.id, action: 'approval.decide', objectId: byLink.approval.id, after: { action: 'approve', comment: 'from the mail' } });
    expect(json(formEntry)).not.toContain(token.split('.').at(-1));

    // A refused decision (the approval is closed now) leaves no entry.
    const late = await api('POST', `/v1/approvals/${byApi.approval.id}`, { action: 'approve' });
    expect(late.status).toBe(409);
    expect(await suite.h.prisma.auditEntry.count({ where: { tenantId, requestId: requestIdOf(late) } })).toBe(0);

    // A rerun of the decided run from its end: the new run is recorded, its inputs are not.
    await ended(byApi.runId);
    const rerun = await api('POST', `/v1/runs/${byApi.runId}/rerun`, { fromNodeId: 'end' });
    expect(rerun.status).toBe(202);
    expect(await entryOf(rerun)).toMatchObject({
      action: 'run.rerun',
      objectType: 'run',
      objectId: rerun.body.data.id,
      after: { originRunId: byApi.runId, fromNodeId: 'end', workflowId, version: 1 },
    });
  }, 120_000);

  it('records pause, resume and cancel of a run; a pause that changes nothing leaves none', async () => {
    const { runId } = await waitingRun();
    const paused = await api('POST', `/v1/runs/${runId}/pause`);
    expect([paused.status, paused.body.data.status]).toEqual([200, 'paused']);
    expect(await entryOf(paused)).toMatchObject({ ...byKey(), action: 'run.pause', objectType: 'run', objectId: runId, before: { status: 'waiting' }, after: { status: 'paused' } });
    const twice = await api('POST', `/v1/runs/${runId}/pause`);
    expect(twice.status).toBe(200);
    expect(await suite.h.prisma.auditEntry.count({ where: { tenantId, requestId: requestIdOf(twice) } })).toBe(0);
    const resumed = await api('POST', `/v1/runs/${runId}/resume`);
    expect(resumed.status).toBe(200);
    expect(await entryOf(resumed)).toMatchObject({ action: 'run.resume', objectId: runId, before: { status: 'paused' }, after: { status: resumed.body.data.status } });
    const cancelled = await api('POST', `/v1/runs/${runId}/cancel`);
    expect([200, 202]).toContain(cancelled.status);
    expect(await entryOf(cancelled)).toMatchObject({ action: 'run.cancel', objectId: runId, after: { status: cancelled.body.data.status } });
  }, 90_000);
});

describe('GET /v1/audit', () => {
  it('filters by action (exact or prefix), object, actor and time, newest first, paginated', async () => {
    const devKey = await suite.h.key('acme', 'developer');
    const dev = httpClient(suite.h.url, devKey);
    const devId = (await suite.h.prisma.apiKey.findUniqueOrThrow({ where: { hash: hashApiKey(devKey) } })).id;
    const g = graph([start, end({})], [['start', 'end']]);
    const wf1 = (await dev('POST', '/v1/workflows', { name: 'f1', graph: g })).body.data.id;
    const wf2 = (await dev('POST', '/v1/workflows', { name: 'f2', graph: g })).body.data.id;
    expect((await dev('PUT', `/v1/workflows/${wf1}/draft`, { graph: g })).status).toBe(200);
    expect((await dev('PUT', '/v1/secrets/FILTERED', { value: 'v' })).status).toBe(200);

    const get = async (query: string) => {
      const r = await api('GET', `/v1/audit?actorId=${devId}&${query}`);
      expect([query, r.status]).toEqual([query, 200]);
      return r.body;
    };
    const actions = (body: any) => body.data.map((e: any) => `${e.action} ${e.objectId}`);
    expect(actions(await get(''))).toEqual(['secret.put FILTERED', `workflow.update_draft ${wf1}`, `workflow.create ${wf2}`, `workflow.create ${wf1}`]);
    expect(actions(await get('sort=created_at'))).toEqual([`workflow.create ${wf1}`, `workflow.create ${wf2}`, `workflow.update_draft ${wf1}`, 'secret.put FILTERED']);
    expect((await get('action=workflow.')).pagination.total).toBe(3);
    expect((await get('action=workflow.create')).pagination.total).toBe(2);
    expect((await get('action=workflow')).pagination.total).toBe(0);
    expect((await get('action=secret.')).pagination.total).toBe(1);
    expect(actions(await get(`objectType=workflow&objectId=${wf1}`))).toEqual([`workflow.update_draft ${wf1}`, `workflow.create ${wf1}`]);
    expect((await get('actorType=api_key')).pagination.total).toBe(4);
    expect((await get('actorType=account')).pagination.total).toBe(0);
    const page = await get('limit=3&page=2');
    expect([actions(page), page.pagination]).toEqual([[`workflow.create ${wf1}`], { page: 2, limit: 3, total: 4, total_pages: 2, has_next: false, has_prev: true }]);

    // from is inclusive, to exclusive: compared with the times the entries were written at.
    const rows = await suite.h.prisma.auditEntry.findMany({ where: { tenantId, actorId: devId }, orderBy: { id: 'asc' } });
    const [from, to] = [rows[1]!.createdAt, rows[3]!.createdAt];
    const inRange = rows.filter((e) => e.createdAt >= from && e.createdAt < to).length;
    expect((await get(`from=${from.toISOString()}&to=${to.toISOString()}`)).pagination.total).toBe(inRange);
    expect((await get(`from=${new Date(rows[3]!.createdAt.getTime() + 1).toISOString()}`)).pagination.total).toBe(0);

    for (const bad of ['action=Workflow!', 'action=a..b', 'from=yesterday', 'to=2026-13-01T00:00:00Z', 'actorType=robot', 'limit=0', 'colour=red']) {
      const r = await api('GET', `/v1/audit?${bad}`);
      expect([bad, r.status, r.body.code]).toEqual([bad, 400, 'malformed_request']);
    }
  });

  it('is for owners and admins of the workspace only; another workspace sees none of its entries', async () => {
    for (const role of ['viewer', 'developer', 'operator'] as const) {
      const r = await httpClient(suite.h.url, await suite.h.key('acme', role))('GET', '/v1/audit');
      expect([role, r.status, r.body.code]).toEqual([role, 403, 'forbidden']);
      const person = await memberWithToken(suite.h.prisma, suite.h.app, tenantId, role);
      expect((await httpClient(suite.h.url, person.token)('GET', '/v1/audit')).status).toBe(403);
    }
    for (const role of ['owner', 'admin'] as const) {
      const person = await memberWithToken(suite.h.prisma, suite.h.app, tenantId, role);
      const r = await httpClient(suite.h.url, person.token)('GET', '/v1/audit?limit=1');
      expect([role, r.status, r.body.pagination.total]).toEqual([role, 200, await suite.h.prisma.auditEntry.count({ where: { tenantId } })]);
    }
    expect((await httpClient(suite.h.url)('GET', '/v1/audit')).status).toBe(401);

    const other = httpClient(suite.h.url, await suite.h.key('globex'));
    const mine = await other('PUT', '/v1/secrets/GLOBEX_ONLY', { value: 'g' });
    const seen = await other('GET', '/v1/audit?limit=100');
    expect(seen.status).toBe(200);
    expect(seen.body.data.map((e: any) => e.requestId)).toEqual([requestIdOf(mine)]);
    expect((await other('GET', `/v1/audit?actorId=${keyId}`)).body.pagination.total).toBe(0);
    expect((await other('GET', '/v1/audit?objectId=AUDITED_TOKEN')).body.pagination.total).toBe(0);
    expect((await api('GET', '/v1/audit?objectId=GLOBEX_ONLY')).body.pagination.total).toBe(0);
  });
});

describe('the audit_log table', () => {
  it('refuses UPDATE, DELETE and TRUNCATE, even from the application', async () => {
    const before = await suite.h.prisma.auditEntry.count({ where: { tenantId } });
    expect(before).toBeGreaterThan(0);
    await expect(suite.h.prisma.$executeRaw`UPDATE audit_log SET action = 'forged' WHERE tenant_id = ${tenantId}`).rejects.toThrow(/append-only/);
    await expect(suite.h.prisma.$executeRaw`DELETE FROM audit_log WHERE tenant_id = ${tenantId}`).rejects.toThrow(/append-only/);
    await expect(suite.h.prisma.$executeRaw`TRUNCATE audit_log`).rejects.toThrow(/append-only/);
    await expect(suite.h.prisma.auditEntry.deleteMany({ where: { tenantId } })).rejects.toThrow();
    expect(await suite.h.prisma.auditEntry.count({ where: { tenantId } })).toBe(before);
    expect(await suite.h.prisma.auditEntry.count({ where: { tenantId, action: 'forged' } })).toBe(0);
  });

  it('holds no secret value, provider key, API key or decision value in any entry of the workspace', async () => {
    const text = await allEntriesText();
    for (const plain of [SECRET_VALUE, PROVIDER_KEY, PERSONAL, GRAPH_MARKER, 'hunter2-audit', 'rt-audit-1']) expect(text).not.toContain(plain);
    expect(text).not.toMatch(/sk-[A-Za-z0-9_-]{16,}/);
  });
});
