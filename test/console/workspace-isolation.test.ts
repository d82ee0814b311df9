import type { Page } from 'playwright-core';
import { end, graph, start, type N } from '../support/graph-builder';
import { signIn, startConsoleSuite, type ConsoleSuite, type TestWorkspace } from '../support/browser';

// Issue 13: "a second workspace's objects never appear". Workspace B holds one object of every kind
// the console shows, each named with a marker; a person of both workspaces, with A chosen, walks
// every page of the console and opens B's objects by id: the marker never shows, and each object
// page says it is not there. Switching to B shows them (the marker is real).
let s: ConsoleSuite & { consoleErrors: string[] };
let a: TestWorkspace;
let b: TestWorkspace;
const MARK = `secret-of-b-${Date.now().toString(36)}`;
const ids: { workflow?: string; run?: string; knowledge?: string; job?: string } = {};

const approval: N = { id: 'gate', type: 'approval', data: { prompt: `Approve ${MARK}?`, timeout: '1h' } };

beforeAll(async () => {
  s = await startConsoleSuite('console-isolation');
  a = await s.workspace('a');
  b = await s.workspace('b');
  // A's own objects, so A's pages are not empty.
  const mine = await a.api('POST', '/v1/workflows', { name: 'workflow of a', graph: graph([start, end({ ok: true })], [['start', 'end']]) });
  expect(mine.status).toBe(201);

  const wf = await b.api('POST', '/v1/workflows', {
    name: `workflow ${MARK}`,
    description: MARK,
    graph: graph([start, approval, end({ said: MARK }, 'yes'), end({ said: 'no' }, 'no')], [['start', 'gate'], ['gate', 'yes', 'approve'], ['gate', 'no', 'reject']], { topic: { type: 'string', default: MARK } }),
  });
  expect(wf.status).toBe(201);
  ids.workflow = wf.body.data.id;
  expect((await b.api('POST', `/v1/workflows/${ids.workflow}/publish`)).status).toBe(201);
  const run = await b.api('POST', `/v1/workflows/${ids.workflow}/runs`, { inputs: { topic: MARK }, mode: 'async' });
  expect(run.status).toBe(202);
  ids.run = run.body.data.id;
  const kb = await b.api('POST', '/v1/knowledge', { name: `kb ${MARK}`, indexing: 'economy', chunking: { strategy: 'paragraph', size: 500, overlap: 0 } });
  expect(kb.status).toBe(201);
  ids.knowledge = kb.body.data.id;
  const upload = await b.api('POST', `/v1/knowledge/${ids.knowledge}/documents`, { documents: [{ name: `${MARK}.txt`, text: `The words of ${MARK}.` }] });
  expect(upload.status).toBe(202);
  ids.job = upload.body.data.jobId;
  expect((await b.api('POST', '/v1/api-keys', { name: `key ${MARK}`, role: 'viewer' })).status).toBe(201);
  // The approval is open before the walk starts.
  for (let i = 0; i < 100; i++) {
    const open = await b.api('GET', `/v1/approvals?status=pending&runId=${ids.run}`);
    if (open.body?.data?.length) break;
    await new Promise((r) => setTimeout(r, 200));
  }
});
afterAll(async () => {
  await s?.close();
});

/** The page's text once it has settled (no loading indicator left). */
async function settledText(page: Page, path: string): Promise<string> {
  await page.goto(path);
  await page.locator('main').waitFor();
  await page.waitForLoadState('networkidle').catch(() => undefined);
  await page.locator('.state.loading').first().waitFor({ state: 'detached', timeout: 15_000 }).catch(() => undefined);
  return page.locator('body').innerText();
}

it("never shows a second workspace's objects, on any page or by id", async () => {
  const both = await a.person('admin', 'both');
  await s.h.prisma.membership.create({ data: { id: `mem_iso_${Date.now()}`, tenantId: b.tenantId, accountId: both.accountId, role: 'admin' } });
  const page = await s.page();
  await signIn(page, both);
  // Choose A (the switcher's first choice depends on order).
  await page.getByLabel('Workspace').selectOption(a.tenantId);
  const seen: string[] = [];
  page.on('response', async (res) => {
    if (!res.url().includes('/v1/') || res.request().method() !== 'GET') return;
    const text = await res.text().catch(() => '');
    if (text.includes(MARK)) seen.push(res.url());
  });

  const lists = ['/console/workflows', '/console/runs', '/console/approvals', '/console/knowledge', '/console/settings/members', '/console/settings/api-keys', '/console/settings/usage', '/console/settings/audit'];
  for (const path of lists) expect(await settledText(page, path)).not.toContain(MARK);
  const byId = [`/console/workflows/${ids.workflow}`, `/console/runs/${ids.run}`, `/console/knowledge/${ids.knowledge}`];
  for (const path of byId) {
    const text = await settledText(page, path);
    expect(text).not.toContain(MARK);
    expect(text).toMatch(/not found|no page here|not there|does not exist/i);
  }
  // Search and filters by B's names and ids find nothing either.
  expect(await settledText(page, `/console/workflows?name=${encodeURIComponent(MARK)}`)).not.toContain(MARK);
  expect(await settledText(page, `/console/runs?workflowId=${ids.workflow}`)).not.toContain(MARK);
  expect(seen).toEqual([]);

  // The same person with B chosen sees B's objects: the marker is there to be seen.
  await page.getByLabel('Workspace').selectOption(b.tenantId);
  expect(await settledText(page, '/console/workflows')).toContain(MARK);
  expect(await settledText(page, '/console/approvals')).toContain(MARK);
  // Back to A: what was on screen of B is gone, not cached.
  await page.getByLabel('Workspace').selectOption(a.tenantId);
  expect(await settledText(page, '/console/approvals')).not.toContain(MARK);
});

it("a member of A only cannot reach B's objects by id", async () => {
  const onlyA = await a.person('admin', 'onlya');
  const page = await s.page();
  await signIn(page, onlyA);
  const options = await page.getByLabel('Workspace').locator('option').allTextContents();
  expect(options.join(' ')).not.toContain(b.name);
  for (const path of [`/console/workflows/${ids.workflow}`, `/console/runs/${ids.run}`, `/console/knowledge/${ids.knowledge}`]) {
    expect(await settledText(page, path)).not.toContain(MARK);
  }
});
