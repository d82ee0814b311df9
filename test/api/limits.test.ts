import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { createTenantKey, newId } from '../../apps/api/src/auth/api-keys';
import { helloGraph } from '../fixtures/graphs';
import { memberWithToken } from '../support/accounts';
import { eventually, httpClient, resetDatabase, silentLogger, startHarness, type Harness } from '../support/harness';
import { testEnv } from '../support/test-env';

/**
 * Rate limits and quotas (README "Rate limits and quotas"): the harness runs with no rate limits
 * by default (test/support/test-env.ts), so each test sets its workspace's own through its quota
 * row, as an owner would. No worker runs unless a test starts one: a started run stays queued,
 * which is what the concurrency quota counts.
 */
let h: Harness;

beforeAll(async () => {
  h = await startHarness('limits');
});
afterAll(async () => {
  await h.close();
});
beforeEach(async () => {
  await resetDatabase(h.prisma);
});
afterEach(async () => {
  // Runs started without a worker stay open in Temporal: end them.
  const queues = `(TaskQueue="${h.taskQueue}" OR TaskQueue="${h.ingestionTaskQueue}")`;
  for await (const w of h.temporal.workflow.list({ query: `${queues} AND ExecutionStatus="Running"` })) {
    await h.temporal.workflow.getHandle(w.workflowId).terminate('test over').catch(() => undefined);
  }
});

/** A workspace with an owner's key and an admin's key. */
async function workspace(name = 'acme') {
  const owner = await createTenantKey(h.prisma, name, 'owner');
  const admin = await createTenantKey(h.prisma, name, 'admin');
  return { tenantId: owner.tenantId, owner: httpClient(h.url, owner.key), admin: httpClient(h.url, admin.key), adminKey: admin.key };
}

async function setQuotas(api: ReturnType<typeof httpClient>, body: Record<string, number | null>) {
  const r = await api('PUT', '/v1/quotas', body);
  expect(r.status).toBe(200);
  return r.body.data;
}

async function publishedHello(api: ReturnType<typeof httpClient>): Promise<string> {
  const created = await api('POST', '/v1/workflows', { name: 'hello', graph: helloGraph() });
  expect(created.status).toBe(201);
  expect((await api('POST', `/v1/workflows/${created.body.data.id}/publish`)).status).toBe(201);
  return created.body.data.id;
}

/** The workspace's Temporal workflows (once visibility has caught up) are exactly its recorded runs': a refused start started nothing. */
async function temporalRunsMatchRecords(tenantId: string): Promise<void> {
  const runs = await h.prisma.run.findMany({ where: { tenantId }, select: { temporalWorkflowId: true } });
  const started = await eventually(async () => {
    const ids: string[] = [];
    for await (const w of h.temporal.workflow.list({ query: `WeftTenantId="${tenantId}"` })) ids.push(w.workflowId);
    return ids.length >= runs.length && ids;
  }, 10_000);
  expect(started.sort()).toEqual(runs.map((r) => r.temporalWorkflowId).sort());
}

describe('request rate limits', () => {
  it('limits each key, then the workspace, with 429 rate_limited, Retry-After and RateLimit headers', async () => {
    const ws = await workspace();
    const other = httpClient(h.url, (await createTenantKey(h.prisma, 'acme', 'viewer')).key);
    await setQuotas(ws.owner, { keyRequestsPerMinute: 3, requestsPerMinute: 5 });

    for (const remaining of [2, 1, 0]) {
      const ok = await ws.admin('GET', '/v1/quotas');
      expect(ok.status).toBe(200);
      // The key's limit is the tighter one here (3 left of 5 for the workspace, then fewer).
      expect([ok.headers.get('ratelimit-limit'), ok.headers.get('ratelimit-remaining')]).toEqual(['3', String(remaining)]);
      expect(Number(ok.headers.get('ratelimit-reset'))).toBeGreaterThan(0);
    }
    const over = await ws.admin('GET', '/v1/quotas');
    expect(over.status).toBe(429);
    const retryAfter = Number(over.headers.get('retry-after'));
    expect(over.body).toMatchObject({ code: 'rate_limited', message: expect.stringContaining('for this API key'), details: { per: 'key', limit: 3, windowSeconds: 60, retryAfter } });
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect([over.headers.get('ratelimit-limit'), over.headers.get('ratelimit-remaining')]).toEqual(['3', '0']);

    // Another key of the workspace is not held back by the first key's limit: the workspace has 2 left
    // (the refused request used none of them), then it is the workspace's limit that refuses.
    const first = await other('GET', '/v1/workflows');
    expect(first.status).toBe(200);
    expect([first.headers.get('ratelimit-limit'), first.headers.get('ratelimit-remaining')]).toEqual(['5', '1']);
    expect((await other('GET', '/v1/workflows')).status).toBe(200);
    const full = await other('GET', '/v1/workflows');
    expect(full).toMatchObject({ status: 429, body: { code: 'rate_limited', message: expect.stringContaining('for this workspace'), details: { per: 'workspace', limit: 5 } } });
    expect(full.headers.get('ratelimit-limit')).toBe('5');
    expect(Number(full.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);

    // A member's access token of the workspace meets the same workspace limit; another workspace does not.
    const member = await memberWithToken(h.prisma, h.app, ws.tenantId, 'developer');
    expect((await httpClient(h.url, member.token)('GET', '/v1/workflows')).status).toBe(429);
    const elsewhere = await workspace('globex');
    expect((await elsewhere.admin('GET', '/v1/workflows')).status).toBe(200);
  });

  it('sends no rate limit headers when no limit applies, and unauthenticated requests are not counted', async () => {
    const ws = await workspace();
    const r = await ws.admin('GET', '/v1/quotas');
    expect(r.status).toBe(200);
    expect(r.headers.get('ratelimit-limit')).toBeNull();
    expect(r.body.data.requestsPerMinute).toEqual({ limit: null, source: 'default' });
    expect((await httpClient(h.url)('GET', '/v1/quotas')).status).toBe(401);
  });

  it("takes the deployment's defaults from config, and lets a key in again when its window ends", async () => {
    const short = await startHarness('limits-defaults', { WEFT_RATE_LIMIT_KEY_PER_MINUTE: '2', WEFT_RATE_LIMIT_WORKSPACE_PER_MINUTE: '100', WEFT_RATE_LIMIT_WINDOW_SECONDS: '3' });
    try {
      const api = httpClient(short.url, await short.key(`defaults-${newId('t')}`));
      const quotas = await api('GET', '/v1/quotas');
      expect(quotas.body.data).toMatchObject({ keyRequestsPerMinute: { limit: 2, source: 'default' }, requestsPerMinute: { limit: 100, source: 'default' } });
      let refused;
      for (let i = 0; i < 10 && !refused; i++) {
        const r = await api('GET', '/v1/workflows');
        if (r.status === 429) refused = r;
      }
      // Two requests fit a window; a third in the same window is refused (a window can end in between: then a later one is).
      expect(refused).toMatchObject({ status: 429, body: { code: 'rate_limited', details: { per: 'key', limit: 2, windowSeconds: 3 } } });
      expect(Number(refused!.headers.get('retry-after'))).toBeLessThanOrEqual(3);
      await eventually(async () => (await api('GET', '/v1/workflows')).status === 200, 10_000, 500);
    } finally {
      await short.close();
    }
  });

  it('lets requests through when Redis is unreachable (fail open, a warning logged)', async () => {
    const warn = jest.spyOn(silentLogger, 'warn');
    const down = await startHarness('limits-redis-down', { REDIS_URL: 'redis://127.0.0.1:1/0', WEFT_RATE_LIMIT_KEY_PER_MINUTE: '1', WEFT_RATE_LIMIT_WORKSPACE_PER_MINUTE: '1' });
    try {
      const api = httpClient(down.url, await down.key(`redis-down-${newId('t')}`));
      for (let i = 0; i < 3; i++) {
        const r = await api('GET', '/v1/quotas');
        expect(r.status).toBe(200);
        expect(r.headers.get('ratelimit-limit')).toBeNull();
      }
      expect(warn).toHaveBeenCalledWith('rate limits not applied: Redis is unreachable', expect.anything());
    } finally {
      warn.mockRestore();
      await down.close().catch(() => undefined);
    }
  });
});

/** Retry-After, in the header and the details, is the seconds left until `then` (within a few seconds of the test's clock). */
function expectRetryAfterUntil(refused: { headers: Headers; body: { details: { retryAfter?: number } } }, then: Date) {
  const expected = (then.getTime() - Date.now()) / 1000;
  const header = Number(refused.headers.get('retry-after'));
  expect(header).toBe(refused.body.details.retryAfter);
  expect(Math.abs(header - expected)).toBeLessThan(30);
}

describe('run quotas', () => {
  it('refuses a start over the concurrent runs quota before anything exists, and still replays an Idempotency-Key', async () => {
    const ws = await workspace();
    const id = await publishedHello(ws.admin);
    await setQuotas(ws.owner, { concurrentRuns: 2 });
    const first = await ws.admin('POST', `/v1/workflows/${id}/runs`, { inputs: { name: 'a' } }, { 'Idempotency-Key': 'once' });
    expect(first.status).toBe(202);
    expect((await ws.admin('POST', `/v1/workflows/${id}/runs`, { inputs: { name: 'b' } })).status).toBe(202);

    const refused = await ws.admin('POST', `/v1/workflows/${id}/runs`, { inputs: { name: 'c' } });
    expect(refused).toMatchObject({ status: 429, body: { code: 'quota_exceeded', details: { quota: 'concurrentRuns', limit: 2, used: 2, retryAfter: 5 } } });
    // A slot frees whenever a run ends: Retry-After is a hint.
    expect(refused.headers.get('retry-after')).toBe('5');
    expect(await h.prisma.run.count({ where: { tenantId: ws.tenantId } })).toBe(2);
    await temporalRunsMatchRecords(ws.tenantId);

    // The first run's key answers the first run, quota or not.
    const replay = await ws.admin('POST', `/v1/workflows/${id}/runs`, { inputs: { name: 'a' } }, { 'Idempotency-Key': 'once' });
    expect(replay.status).toBe(202);
    expect(replay.body.data.id).toBe(first.body.data.id);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');

    // A run that ends frees its place.
    await h.temporal.workflow.getHandle(`weft-${first.body.data.id}`).terminate('make room');
    await h.prisma.run.update({ where: { id: first.body.data.id }, data: { status: 'cancelled', finishedAt: new Date() } });
    expect((await ws.admin('POST', `/v1/workflows/${id}/runs`, { inputs: { name: 'd' } })).status).toBe(202);
  });

  it('admits concurrent starts one at a time: never more than the quota', async () => {
    const ws = await workspace();
    const id = await publishedHello(ws.admin);
    await setQuotas(ws.owner, { concurrentRuns: 3 });
    const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => ws.admin('POST', `/v1/workflows/${id}/runs`, { inputs: { name: `n${i}` } })));
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses).toEqual([202, 202, 202, 429, 429, 429, 429, 429]);
    for (const a of answers.filter((x) => x.status === 429)) expect(a.body.details).toEqual({ quota: 'concurrentRuns', limit: 3, used: 3, retryAfter: 5 });
    expect(await h.prisma.run.count({ where: { tenantId: ws.tenantId } })).toBe(3);
    await temporalRunsMatchRecords(ws.tenantId);
  });

  it('refuses a start over the runs per day quota', async () => {
    const ws = await workspace();
    const id = await publishedHello(ws.admin);
    await setQuotas(ws.owner, { runsPerDay: 2 });
    for (const name of ['a', 'b']) expect((await ws.admin('POST', `/v1/workflows/${id}/runs`, { inputs: { name } })).status).toBe(202);
    // Yesterday's run does not count today.
    const yesterday = new Date(Date.now() - 86_400_000);
    await h.prisma.run.updateMany({ where: { tenantId: ws.tenantId, inputs: { equals: { name: 'a', times: 1 } } }, data: { createdAt: yesterday } });
    expect((await ws.admin('POST', `/v1/workflows/${id}/runs`, { inputs: { name: 'c' } })).status).toBe(202);
    const refused = await ws.admin('POST', `/v1/workflows/${id}/runs`, { inputs: { name: 'd' } });
    expect(refused).toMatchObject({ status: 429, body: { code: 'quota_exceeded', details: { quota: 'runsPerDay', limit: 2, used: 2 } } });
    // Retry-After: until the next UTC day, when today's count starts again.
    expectRetryAfterUntil(refused, new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate() + 1)));
    expect(await h.prisma.run.count({ where: { tenantId: ws.tenantId } })).toBe(3);
    await temporalRunsMatchRecords(ws.tenantId);
  });

  it("refuses a start once the month's LLM tokens reach the quota", async () => {
    const ws = await workspace();
    const id = await publishedHello(ws.admin);
    const run = await ws.admin('POST', `/v1/workflows/${id}/runs`, { inputs: { name: 'a' } });
    const monthStart = new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), 1));
    // What the run's LLM nodes recorded: 1000 tokens this month, and 5000 last month that do not count.
    await h.prisma.llmCall.createMany({
      data: [
        { id: newId('llm'), tenantId: ws.tenantId, runId: run.body.data.id, nodeKey: 'n1', attempt: 1, provider: 'openai', model: 'm', inputTokens: 600, outputTokens: 400 },
        { id: newId('llm'), tenantId: ws.tenantId, runId: run.body.data.id, nodeKey: 'n0', attempt: 1, provider: 'openai', model: 'm', inputTokens: 5000, outputTokens: 0, createdAt: new Date(monthStart.getTime() - 3_600_000) },
      ],
    });
    await setQuotas(ws.owner, { llmTokensPerMonth: 1000 });
    const refused = await ws.admin('POST', `/v1/workflows/${id}/runs`, { inputs: { name: 'b' } });
    expect(refused).toMatchObject({ status: 429, body: { code: 'quota_exceeded', details: { quota: 'llmTokensPerMonth', limit: 1000, used: 1000 } } });
    expectRetryAfterUntil(refused, new Date(Date.UTC(monthStart.getUTCFullYear(), monthStart.getUTCMonth() + 1, 1)));
    expect(await h.prisma.run.count({ where: { tenantId: ws.tenantId } })).toBe(1);
    await setQuotas(ws.owner, { llmTokensPerMonth: 1001 });
    expect((await ws.admin('POST', `/v1/workflows/${id}/runs`, { inputs: { name: 'b' } })).status).toBe(202);
    await temporalRunsMatchRecords(ws.tenantId);
  });

  it('refuses a rerun over a run quota, before anything is created', async () => {
    const ws = await workspace();
    const id = await publishedHello(ws.admin);
    const worker = await h.startWorker();
    try {
      const done = await ws.admin('POST', `/v1/workflows/${id}/runs`, { inputs: { name: 'a' }, mode: 'blocking' });
      expect(done.body.data.status).toBe('succeeded');
      await setQuotas(ws.owner, { runsPerDay: 1 });
      const refused = await ws.admin('POST', `/v1/runs/${done.body.data.id}/rerun`, { fromNodeId: 'greet' });
      expect(refused).toMatchObject({ status: 429, body: { code: 'quota_exceeded', details: { quota: 'runsPerDay', limit: 1, used: 1 } } });
      expect(await h.prisma.run.count({ where: { tenantId: ws.tenantId } })).toBe(1);
      await setQuotas(ws.owner, { runsPerDay: null });
      const rerun = await ws.admin('POST', `/v1/runs/${done.body.data.id}/rerun`, { fromNodeId: 'greet' });
      expect(rerun.status).toBe(202);
    } finally {
      await worker.stop();
    }
  });
});

describe('the stored documents quota', () => {
  it('refuses an upload whose new documents would go over it; duplicates add nothing', async () => {
    const ws = await workspace();
    const kb = (await ws.admin('POST', '/v1/knowledge', { name: 'docs' })).body.data.id;
    await setQuotas(ws.owner, { storedDocuments: 2 });
    const docs = (names: string[]) => ({ documents: names.map((n) => ({ name: `${n}.txt`, text: `the text of ${n}` })) });

    const tooMany = await ws.admin('POST', `/v1/knowledge/${kb}/documents`, docs(['a', 'b', 'c']));
    expect(tooMany).toMatchObject({ status: 429, body: { code: 'quota_exceeded', details: { quota: 'storedDocuments', limit: 2, used: 0, adding: 3 } } });
    // Waiting frees nothing here (only deleting documents does): no Retry-After.
    expect(tooMany.headers.get('retry-after')).toBeNull();
    expect(tooMany.body.details.retryAfter).toBeUndefined();
    expect(await h.prisma.knowledgeDocument.count({ where: { tenantId: ws.tenantId } })).toBe(0);
    expect(await h.prisma.ingestionJob.count({ where: { tenantId: ws.tenantId } })).toBe(0);

    expect((await ws.admin('POST', `/v1/knowledge/${kb}/documents`, docs(['a', 'b']))).status).toBe(202);
    const again = await ws.admin('POST', `/v1/knowledge/${kb}/documents`, docs(['a']));
    expect(again.status).toBe(200);
    const more = await ws.admin('POST', `/v1/knowledge/${kb}/documents`, docs(['c']));
    expect(more).toMatchObject({ status: 429, body: { details: { quota: 'storedDocuments', limit: 2, used: 2, adding: 1 } } });
    expect(await h.prisma.knowledgeDocument.count({ where: { tenantId: ws.tenantId } })).toBe(2);
  });
});

describe('GET /v1/usage', () => {
  it('shows runs and tokens by UTC day, and the current use against each quota', async () => {
    const ws = await workspace();
    const id = await publishedHello(ws.admin);
    await setQuotas(ws.owner, { concurrentRuns: 10, storedDocuments: 50 });
    const runs = [];
    for (const name of ['a', 'b']) runs.push((await ws.admin('POST', `/v1/workflows/${id}/runs`, { inputs: { name } })).body.data.id as string);
    const now = new Date();
    const yesterday = new Date(now.getTime() - 86_400_000);
    await h.prisma.llmCall.createMany({
      data: [
        { id: newId('llm'), tenantId: ws.tenantId, runId: runs[0]!, nodeKey: 'x', attempt: 1, provider: 'openai', model: 'm', inputTokens: 10, outputTokens: 5 },
        { id: newId('llm'), tenantId: ws.tenantId, runId: runs[1]!, nodeKey: 'x', attempt: 1, provider: 'openai', model: 'm', inputTokens: 7, outputTokens: 3 },
        { id: newId('llm'), tenantId: ws.tenantId, runId: runs[1]!, nodeKey: 'y', attempt: 1, provider: 'openai', model: 'm', inputTokens: 100, outputTokens: 50, createdAt: yesterday },
      ],
    });
    const kb = (await ws.admin('POST', '/v1/knowledge', { name: 'docs' })).body.data.id;
    expect((await ws.admin('POST', `/v1/knowledge/${kb}/documents`, { documents: [{ name: 'a.txt', text: 'alpha' }] })).status).toBe(202);
    // Another workspace's use is not ours.
    const other = await workspace('globex');
    const otherWf = await publishedHello(other.admin);
    expect((await other.admin('POST', `/v1/workflows/${otherWf}/runs`, { inputs: { name: 'z' } })).status).toBe(202);

    const viewer = httpClient(h.url, (await createTenantKey(h.prisma, 'acme', 'viewer')).key);
    const usage = await viewer('GET', '/v1/usage');
    expect(usage.status).toBe(200);
    const today = now.toISOString().slice(0, 10);
    const { days, current, from, to } = usage.body.data;
    expect(to).toBe(today);
    expect(days).toHaveLength(30);
    expect(days[0].date).toBe(from);
    expect(days.at(-1)).toEqual({ date: today, runsStarted: 2, inputTokens: 17, outputTokens: 8 });
    expect(days.at(-2)).toEqual({ date: yesterday.toISOString().slice(0, 10), runsStarted: 0, inputTokens: 100, outputTokens: 50 });
    expect(days.slice(0, -2).every((d: { runsStarted: number; inputTokens: number }) => d.runsStarted === 0 && d.inputTokens === 0)).toBe(true);
    const thisMonth = yesterday.getUTCMonth() === now.getUTCMonth() ? 175 : 25;
    expect(current).toEqual({
      concurrentRuns: { used: 2, limit: 10 },
      runsToday: { used: 2, limit: null },
      llmTokensThisMonth: { used: thisMonth, limit: null },
      storedDocuments: { used: 1, limit: 50 },
    });

    const oneDay = await viewer('GET', `/v1/usage?from=${today}&to=${today}`);
    expect(oneDay.body.data.days).toEqual([{ date: today, runsStarted: 2, inputTokens: 17, outputTokens: 8 }]);
    expect((await viewer('GET', '/v1/usage?from=2026-02-01&to=2026-01-31')).status).toBe(400);
    expect((await viewer('GET', '/v1/usage?from=2024-01-01&to=2025-01-01')).status).toBe(400);
    expect((await viewer('GET', '/v1/usage?from=2024-01-01&to=2024-12-31')).body.data.days).toHaveLength(366);
    expect((await viewer('GET', '/v1/usage?from=2026-02-30')).status).toBe(400);
  });
});

describe('GET and PUT /v1/quotas', () => {
  it('shows the effective limits to any member; only an owner changes them, audited', async () => {
    const ws = await workspace();
    const viewer = httpClient(h.url, (await createTenantKey(h.prisma, 'acme', 'viewer')).key);
    const before = await viewer('GET', '/v1/quotas');
    expect(before.status).toBe(200);
    expect(before.body.data).toEqual({
      concurrentRuns: { limit: null, source: 'default' },
      runsPerDay: { limit: null, source: 'default' },
      llmTokensPerMonth: { limit: null, source: 'default' },
      storedDocuments: { limit: null, source: 'default' },
      requestsPerMinute: { limit: null, source: 'default' },
      keyRequestsPerMinute: { limit: null, source: 'default' },
    });

    expect((await ws.admin('PUT', '/v1/quotas', { concurrentRuns: 1 })).status).toBe(403);
    expect((await viewer('PUT', '/v1/quotas', { concurrentRuns: 1 })).status).toBe(403);
    const owner = await memberWithToken(h.prisma, h.app, ws.tenantId, 'owner');
    const asOwner = httpClient(h.url, owner.token);
    const set = await asOwner('PUT', '/v1/quotas', { concurrentRuns: 4, llmTokensPerMonth: 2_000_000_000_000, requestsPerMinute: 100 });
    expect(set.status).toBe(200);
    expect(set.body.data).toMatchObject({ concurrentRuns: { limit: 4, source: 'workspace' }, llmTokensPerMonth: { limit: 2_000_000_000_000, source: 'workspace' }, runsPerDay: { limit: null, source: 'default' } });
    expect((await viewer('GET', '/v1/quotas')).body.data.requestsPerMinute).toEqual({ limit: 100, source: 'workspace' });

    // null returns a field to the default; absent fields stay.
    const cleared = await asOwner('PUT', '/v1/quotas', { concurrentRuns: null });
    expect(cleared.body.data).toMatchObject({ concurrentRuns: { limit: null, source: 'default' }, requestsPerMinute: { limit: 100, source: 'workspace' } });

    const entries = await h.prisma.auditEntry.findMany({ where: { tenantId: ws.tenantId, action: 'quota.update' }, orderBy: { id: 'asc' } });
    expect(entries).toHaveLength(2);
    expect(entries[0]).toMatchObject({ actorType: 'account', actorId: owner.accountId, objectType: 'workspace_quota', objectId: ws.tenantId, requestId: expect.any(String) });
    expect(entries[0]!.before).toMatchObject({ concurrentRuns: null, requestsPerMinute: null });
    expect(entries[0]!.after).toMatchObject({ concurrentRuns: 4, llmTokensPerMonth: 2_000_000_000_000, requestsPerMinute: 100 });
    expect(entries[1]!.after).toMatchObject({ concurrentRuns: null, requestsPerMinute: 100 });
  });

  it('refuses values out of bounds with 422 quota_invalid and every problem', async () => {
    const ws = await workspace();
    const bad = await ws.owner('PUT', '/v1/quotas', { concurrentRuns: -1, storedDocuments: 1.5, requestsPerMinute: 0, runsPerDay: 1e12 });
    expect(bad.status).toBe(422);
    expect(bad.body.code).toBe('quota_invalid');
    expect(bad.body.details.issues.map((i: { path: string[] }) => i.path[1]).sort()).toEqual(['concurrentRuns', 'requestsPerMinute', 'runsPerDay', 'storedDocuments']);
    expect((await ws.owner('PUT', '/v1/quotas', { concurrentRuns: '3' })).status).toBe(400);
    expect((await ws.owner('PUT', '/v1/quotas', { unknown: 3 })).status).toBe(400);
    expect(await h.prisma.workspaceQuota.count()).toBe(0);
  });

  it("lets an owner lower the limits or raise them up to the deployment's defaults, never beyond; the operator's CLI raises them", async () => {
    const capped = await startHarness('limits-ceilings', { WEFT_QUOTA_CONCURRENT_RUNS: '5', WEFT_RATE_LIMIT_KEY_PER_MINUTE: '600', WEFT_RATE_LIMIT_WORKSPACE_PER_MINUTE: '1200' });
    try {
      const owner = await createTenantKey(capped.prisma, 'capped', 'owner');
      const api = httpClient(capped.url, owner.key);
      expect((await api('PUT', '/v1/quotas', { concurrentRuns: 2, requestsPerMinute: 1200 })).status).toBe(200);
      const above = await api('PUT', '/v1/quotas', { concurrentRuns: 6, keyRequestsPerMinute: 100_000, runsPerDay: 1_000_000 });
      expect(above.status).toBe(422);
      expect(above.body.code).toBe('quota_invalid');
      // runsPerDay has no default (unlimited): any value only tightens it.
      expect(above.body.details.issues.map((i: { code: string; path: string[] }) => [i.code, i.path[1]])).toEqual([
        ['quota_above_ceiling', 'concurrentRuns'],
        ['quota_above_ceiling', 'keyRequestsPerMinute'],
      ]);
      expect((await api('GET', '/v1/quotas')).body.data.concurrentRuns).toEqual({ limit: 2, source: 'workspace' });

      // The operator gives the workspace more; its owner may then set anything up to that, and no more.
      const cli = spawnSync(process.execPath, [join(__dirname, '../../apps/api/dist/cli/tenant.cli.js'), 'set-quota', 'capped', 'concurrentRuns=50'], {
        env: { ...process.env, DATABASE_URL: testEnv.databaseUrl, WEFT_QUOTA_CONCURRENT_RUNS: '5' },
        encoding: 'utf8',
      });
      expect(cli.status).toBe(0);
      expect(JSON.parse(cli.stdout).concurrentRuns).toEqual({ limit: 50, source: 'workspace' });
      expect((await api('PUT', '/v1/quotas', { concurrentRuns: 50 })).status).toBe(200);
      expect((await api('PUT', '/v1/quotas', { concurrentRuns: 51 })).status).toBe(422);
      const entries = await capped.prisma.auditEntry.findMany({ where: { tenantId: owner.tenantId, action: 'quota.update' }, orderBy: { id: 'asc' } });
      expect(entries.map((e) => e.actorType)).toEqual(['api_key', 'system', 'api_key']);
    } finally {
      await capped.close();
    }
  });
});
