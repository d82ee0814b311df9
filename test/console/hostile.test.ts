import { startConsoleSuite, signIn, type ConsoleSuite, type TestWorkspace } from '../support/browser';
import { body, end, graph, start, startAt, tpl, type N } from '../support/graph-builder';

// The console reviewed as a hostile tenant and a hostile anonymous visitor: what the static server
// gives away, and what one workspace's data can do on another's screen.
let s: ConsoleSuite & { consoleErrors: string[] };
let acme: TestWorkspace;
let globex: TestWorkspace;

beforeAll(async () => {
  s = await startConsoleSuite('console-hostile');
  acme = await s.workspace('acme');
  globex = await s.workspace('globex');
}, 120_000);
afterAll(async () => {
  await s?.close();
});

describe('the static server to an anonymous visitor', () => {
  it('serves nothing outside the console build: traversal, encoded slashes, dotfiles, very long paths', async () => {
    for (const path of ['/console/../package.json', '/console/%2e%2e/%2e%2e/package.json', '/console/assets/..%2f..%2f..%2fpackage.json', '/console/..%5c..%5cpackage.json', '/console/.env', '/console/assets/.git/config']) {
      const res = await fetch(`${s.h.url}${path}`);
      const body = await res.text();
      expect(body).not.toContain('"workspaces"');
      expect(body).not.toMatch(/"name":\s*"@weft/);
    }
    const long = await fetch(`${s.h.url}/console/${'a/'.repeat(4000)}`);
    expect([200, 404, 414, 431]).toContain(long.status);
    const head = await fetch(`${s.h.url}/console/approvals`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('x-frame-options')).toBe('DENY');
  });

  it('serves the signed form page so its token leaks to no one: no Referer, no framing, no sniffing, no session', async () => {
    const res = await fetch(`${s.h.url}/console/forms/not-a-real-token.abc`);
    expect(res.status).toBe(200);
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('content-security-policy')).toMatch(/frame-ancestors 'none'/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    // A signed-in browser opening a form link sends no session token with it.
    const dev = await acme.person('developer', 'formy');
    const page = await s.page();
    await signIn(page, dev);
    const sent: Array<string | undefined> = [];
    page.on('request', (r) => {
      if (r.url().includes('/v1/')) sent.push(r.headers()['authorization']);
    });
    await page.goto('/console/forms/not-a-real-token.abc');
    await page.locator('main, .form-page, body').first().waitFor();
    await page.waitForLoadState('networkidle');
    expect(sent.length).toBeGreaterThan(0);
    expect(sent.filter((a) => a !== undefined)).toEqual([]);
  });
});

describe('tenant text', () => {
  it('is text everywhere it is drawn: markup in a workflow name and description never runs', async () => {
    const evil = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>';
    const g = graph([start, end({ a: '1' })], [['start', 'end']]);
    const created = await acme.api('POST', '/v1/workflows', { name: `wf ${evil}`, description: `[click](javascript:window.__pwned=3) ${evil}`, graph: g });
    expect(created.status).toBe(201);
    const page = await s.page();
    await signIn(page, await acme.person('viewer', 'eve-reader'), '/console/workflows');
    await page.getByText(`wf ${evil}`).first().waitFor();
    await page.goto(`/console/workflows/${created.body.data.id}`);
    await page.getByText(`wf ${evil}`).first().waitFor();
    expect(await page.evaluate('window.__pwned')).toBeUndefined();
    expect(await page.locator('a[href^="javascript:"], img[src="x"], main script').count()).toBe(0);
  });
});

describe('workspaces', () => {
  it('shows nothing of workspace A once another tab of the same browser has switched to B', async () => {
    const person = await acme.person('admin', 'tabby');
    await s.h.prisma.membership.create({ data: { id: `mem_tabby_${Date.now()}`, tenantId: globex.tenantId, accountId: person.accountId, role: 'admin' } });
    const onlyAcme = await acme.person('viewer', 'only-acme');
    const onlyGlobex = await globex.person('viewer', 'only-globex');

    const one = await s.page();
    await signIn(one, person, '/console/settings/members');
    const two = await one.context().newPage();
    await two.goto('/console/settings/members');
    await two.getByRole('button', { name: 'Sign out' }).waitFor();

    // Both tabs on acme's members; the second switches to globex.
    const pick = async (p: typeof one, tenantId: string) => {
      if ((await p.getByLabel('Workspace').inputValue()) !== tenantId) await p.getByLabel('Workspace').selectOption(tenantId);
    };
    await pick(one, acme.tenantId);
    await one.locator(`[data-member="${onlyAcme.email}"]`).waitFor();
    await two.locator('.topbar').waitFor();
    await pick(two, globex.tenantId);

    // The first tab follows the shared session to globex, and shows globex's members, never acme's.
    await one.locator(`select[aria-label="Workspace"] option[value="${globex.tenantId}"]:checked`).waitFor({ state: 'attached' });
    expect(await one.locator(`[data-member="${onlyAcme.email}"]`).count()).toBe(0);
    await one.locator(`[data-member="${onlyGlobex.email}"]`).waitFor();
    expect(await one.locator(`[data-member="${onlyAcme.email}"]`).count()).toBe(0);
  });
});

/** Waits (bounded) until the API lists more than `n` node executions of a run. */
async function recorded(runId: string, n: number): Promise<void> {
  for (let i = 0; i < 300; i++) {
    const nodes = await acme.api('GET', `/v1/runs/${runId}/nodes?limit=1`);
    if ((nodes.body?.pagination?.total ?? 0) > n) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`run ${runId}: not more than ${n} node executions recorded after 60 s`);
}

describe('a big run', () => {
  it('draws a run of hundreds of executions a page at a time, and builds an execution’s outputs only when opened', async () => {
    const each: N = {
      id: 'each',
      type: 'iteration',
      data: { items: '{{ start.words }}', graph: body([startAt('inner'), tpl('echo', '{{ each.item }}'), end({ text: '{{ echo.text }}' }, 'said')], [['inner', 'echo'], ['echo', 'said']]) },
    };
    const g = graph([start, each, end({ n: '{{ each.results }}' })], [['start', 'each'], ['each', 'end']], { words: { type: 'array', required: true } });
    const created = await acme.api('POST', '/v1/workflows', { name: 'wide', graph: g });
    expect(created.status).toBe(201);
    expect((await acme.api('POST', `/v1/workflows/${created.body.data.id}/publish`)).status).toBe(201);
    const words = Array.from({ length: 250 }, (_, i) => `w${i}-${'x'.repeat(2_000)}`);
    const run = await acme.api('POST', `/v1/workflows/${created.body.data.id}/runs`, { inputs: { words }, mode: 'async' });
    expect(run.status).toBe(202);

    // Every execution's record is in before the page opens (they may land just after run.finished).
    const runId = run.body.data.id as string;
    await recorded(runId, 400);
    const page = await s.page();
    await signIn(page, await acme.person('viewer', 'big'), `/console/runs/${runId}`);
    await page.locator('.run-header [data-run-status="succeeded"]').waitFor({ timeout: 90_000 });
    const counter = page.locator('.timeline .row .muted.small').first();
    await page.locator('.timeline .row .muted.small', { hasText: /of ([4-9]\d\d|\d{4,}) node executions/ }).waitFor();
    const total = Number(/of (\d+) node executions/.exec((await counter.textContent()) ?? '')?.[1]);
    expect(await page.locator('.timeline-entry').count()).toBe(200);
    // Nothing of any execution's inputs or outputs is on the page until it is opened.
    expect(await page.locator('.timeline-entry .json-block').count()).toBe(0);
    await page.getByRole('button', { name: new RegExp(`^Show 200 more of ${total - 200}$`) }).click();
    await page.locator('.timeline-entry').nth(Math.min(400, total) - 1).waitFor();
    expect(await page.locator('.timeline-entry').count()).toBe(Math.min(400, total));
    await page.locator('.timeline-entry summary').nth(1).click();
    await page.locator('.timeline-entry .json-block').first().waitFor();
    expect(await page.locator('.timeline-entry .timeline-body').count()).toBe(1);

    // One huge output: the first 100 000 characters, the rest when asked for.
    const huge = await acme.api('POST', `/v1/workflows/${created.body.data.id}/runs`, { inputs: { words: ['y'.repeat(300_000)] }, mode: 'async' });
    expect(huge.status).toBe(202);
    await recorded(huge.body.data.id as string, 3);
    await page.goto(`/console/runs/${huge.body.data.id}`);
    await page.locator('.run-header [data-run-status="succeeded"]').waitFor({ timeout: 60_000 });
    await page.locator('.timeline-entry[data-node-key^="echo"] summary').first().click();
    const out = page.locator('.timeline-entry .json-block').filter({ hasText: 'Outputs' });
    await out.locator('pre').waitFor();
    expect(((await out.locator('pre').textContent()) ?? '').length).toBeLessThanOrEqual(100_001);
    await out.getByRole('button', { name: /^Show all [\d,]+ characters$/ }).click();
    await out.getByRole('button', { name: /^Show all/ }).waitFor({ state: 'detached' });
    expect(((await out.locator('pre').textContent()) ?? '').length).toBeGreaterThan(300_000);
  }, 150_000);
});
