import { FormTokens } from '@weft/activities';
import type { Locator, Page } from 'playwright-core';
import { end, graph, start, type N } from '../support/graph-builder';
import { eventually, publishGraph } from '../support/harness';
import { screenshot, signIn, startConsoleSuite, type ConsoleSuite, type TestWorkspace } from '../support/browser';
import { testEnv } from '../support/test-env';

// The approvals section in a real Chromium against the real stack (API, worker, Temporal): runs wait
// at approval nodes; an operator decides one from the inbox and the run goes on; a viewer sees the
// card without its actions; a person without an account decides through a signed form link once.
let s: ConsoleSuite & { consoleErrors: string[] };
let acme: TestWorkspace;
const tokens = new FormTokens(testEnv.encryptionKey);

beforeAll(async () => {
  s = await startConsoleSuite('console-approvals');
  acme = await s.workspace('acme');
}, 120_000);
afterAll(async () => {
  await s?.close();
});

const PROMPT = [
  '## Publish the post',
  '',
  'Publish **{{ start.topic }}** to the _public_ blog?',
  '',
  'Read [the draft](https://example.com/draft?id=1) first; ignore [this trap](javascript:alert(document.cookie)) and <img src=x onerror=alert(1)>.',
  '',
  '- check the `title`',
  '- check the tone',
].join('\n');

const gate = (id: string, data: Record<string, unknown>): N => ({ id, type: 'approval', data: { timeout: '1h', ...data } });
const FIELDS = {
  reason: { type: 'text', required: true, label: 'Reason' },
  notes: { type: 'paragraph', label: 'Notes for the editor' },
  count: { type: 'number', label: 'Copies', default: 2 },
  urgent: { type: 'boolean', label: 'Urgent' },
  channel: { type: 'select', label: 'Channel', options: ['blog', 'news'], default: 'blog' },
};

/** A workflow that waits at `gate` and ends with what was decided. */
function gated(data: Record<string, unknown>) {
  return graph(
    [start, gate('gate', data), end({ action: '{{ gate.action }}', values: '{{ gate.values }}', actor: '{{ gate.actor }}' }, 'yes'), end({ action: '{{ gate.action }}', values: '{{ gate.values }}' }, 'no')],
    [['start', 'gate'], ['gate', 'yes', 'approve'], ['gate', 'no', 'reject']],
    { topic: { type: 'string', default: 'the post' } },
  );
}

async function runWaiting(ws: TestWorkspace, data: Record<string, unknown>, name: string): Promise<{ runId: string; approval: any }> {
  const workflowId = await publishGraph(ws.api, gated(data), name);
  const r = await ws.api('POST', `/v1/workflows/${workflowId}/runs`, { inputs: {} });
  expect(r.status).toBe(202);
  const runId: string = r.body.data.id;
  const approval = await eventually(async () => (await ws.api('GET', `/v1/approvals?status=pending&runId=${runId}`)).body.data?.[0], 30_000, 100);
  return { runId, approval };
}

const ended = (ws: TestWorkspace, runId: string) =>
  eventually(async () => {
    const run = (await ws.api('GET', `/v1/runs/${runId}`)).body.data;
    return !['queued', 'running', 'waiting', 'paused'].includes(run.status) && run;
  }, 30_000, 100);

const card = (page: Page, approvalId: string): Locator => page.locator(`article[data-approval-id="${approvalId}"]`);

describe('the approvals inbox', () => {
  let publish: { runId: string; approval: any };
  let refund: { runId: string; approval: any };

  beforeAll(async () => {
    publish = await runWaiting(acme, { prompt: PROMPT, fields: FIELDS }, 'publish');
    refund = await runWaiting(acme, { prompt: 'Refund *order 42* of **Ada**?', fields: { amount: { type: 'number', required: true, label: 'Amount' } }, actions: [{ id: 'approve', label: 'Refund' }, { id: 'reject', label: 'Keep' }] }, 'refund');
  }, 90_000);

  it('shows the pending approvals with their rendered prompt; an operator decides one and the run goes on', async () => {
    const operator = await acme.person('operator', 'olga');
    const page = await s.page();
    await signIn(page, operator, '/console/approvals');
    await page.getByRole('heading', { name: 'Approvals', level: 1 }).waitFor();
    const mine = card(page, publish.approval.id);
    await mine.waitFor();
    await card(page, refund.approval.id).waitFor();

    // The prompt is Markdown rendered as elements: bold is <strong>, the http(s) link a safe link,
    // the javascript: link and the raw HTML only text.
    await expect(mine.locator('strong', { hasText: 'the post' }).count()).resolves.toBe(1);
    await expect(mine.locator('em', { hasText: 'public' }).count()).resolves.toBe(1);
    await expect(mine.getByRole('heading', { name: 'Publish the post' }).count()).resolves.toBe(1);
    await expect(mine.locator('li code', { hasText: 'title' }).count()).resolves.toBe(1);
    const draft = mine.getByRole('link', { name: 'the draft' });
    expect([await draft.getAttribute('href'), await draft.getAttribute('target'), await draft.getAttribute('rel')]).toEqual(['https://example.com/draft?id=1', '_blank', 'noopener noreferrer nofollow']);
    await expect(mine.getByText('this trap').count()).resolves.toBe(1);
    await expect(mine.getByRole('link', { name: 'this trap' }).count()).resolves.toBe(0);
    await expect(page.locator('a[href^="javascript"], img').count()).resolves.toBe(0);
    await expect(mine.getByText('<img src=x onerror=alert(1)>').count()).resolves.toBe(1);
    // Where it comes from, and the form with every field type and its defaults.
    expect(await mine.getByRole('link', { name: publish.runId }).getAttribute('href')).toBe(`/console/runs/${publish.runId}`);
    expect(await mine.getByRole('link', { name: 'publish', exact: true }).getAttribute('href')).toBe(`/console/workflows/${publish.approval.workflowId}`);
    expect(await mine.getByLabel('Copies').inputValue()).toBe('2');
    expect(await mine.getByLabel('Channel').inputValue()).toBe('blog');
    expect(await mine.getByLabel('Urgent').isChecked()).toBe(false);
    await expect(mine.getByLabel('Notes for the editor').evaluate((e) => e.tagName)).resolves.toBe('TEXTAREA');
    await screenshot(page, 'approval-inbox');

    // A required field left empty: the workflow's validator says so, next to the field.
    await mine.getByRole('button', { name: 'Approve' }).click();
    await mine.locator('[data-field="reason"] .error-text', { hasText: 'required' }).waitFor();
    expect(await mine.getByLabel('Reason').getAttribute('aria-invalid')).toBe('true');

    await mine.getByLabel('Reason').fill('ship it');
    await mine.getByLabel('Notes for the editor').fill('line one\nline two');
    await mine.getByLabel('Copies').fill('3');
    await mine.getByLabel('Urgent').check();
    await mine.getByLabel('Channel').selectOption('news');
    await mine.getByLabel('Comment').fill('looks right');
    await mine.getByRole('button', { name: 'Approve' }).click();
    // It leaves the inbox; the other one stays.
    await mine.waitFor({ state: 'detached' });
    await expect(card(page, refund.approval.id).isVisible()).resolves.toBe(true);

    const run = await ended(acme, publish.runId);
    expect(run.status).toBe('succeeded');
    expect(run.outputs).toMatchObject({
      action: 'approve',
      values: { reason: 'ship it', notes: 'line one\nline two', count: 3, urgent: true, channel: 'news' },
      actor: { kind: 'account', id: operator.accountId, role: 'operator' },
    });
    // The decided filter shows it with its decision.
    await page.getByLabel('Show approvals').selectOption('decided');
    const decided = card(page, publish.approval.id);
    await decided.waitFor();
    await expect(decided.getByText('Decision: Approve').count()).resolves.toBe(1);
    await expect(decided.getByText('“looks right”').count()).resolves.toBe(1);
    await expect(decided.getByRole('button').count()).resolves.toBe(0);
  }, 90_000);

  it('shows a viewer the card without its actions, readable on a narrow window', async () => {
    const viewer = await acme.person('viewer', 'vic');
    const page = await s.page({ width: 390, height: 800 });
    await signIn(page, viewer, '/console/approvals');
    const theirs = card(page, refund.approval.id);
    await theirs.waitFor();
    await expect(theirs.locator('strong', { hasText: 'Ada' }).count()).resolves.toBe(1);
    await expect(theirs.getByText('Your role can see this approval but not decide it').count()).resolves.toBe(1);
    await expect(theirs.getByRole('button').count()).resolves.toBe(0);
    await expect(theirs.getByLabel('Amount').count()).resolves.toBe(0);
    expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth + 1')).toBe(true);
  });

  it('says plainly when the approval was decided elsewhere in the meantime (409)', async () => {
    const operator = await acme.person('operator', 'otto');
    const page = await s.page();
    // The inbox keeps showing what it first loaded, as a page opened a while ago would.
    let first: string | undefined;
    await page.route(/\/v1\/approvals\?/, async (route) => {
      const res = await route.fetch();
      first ??= await res.text();
      await route.fulfill({ response: res, body: first });
    });
    await signIn(page, operator, '/console/approvals');
    const theirs = card(page, refund.approval.id);
    await theirs.getByLabel('Amount').fill('42');
    const elsewhere = await acme.api('POST', `/v1/approvals/${refund.approval.id}`, { action: 'reject', values: { amount: 1 } });
    expect(elsewhere.status).toBe(200);
    await theirs.getByRole('button', { name: 'Refund' }).click();
    await theirs.getByRole('alert').filter({ hasText: 'already decided by someone else' }).waitFor();
    expect((await ended(acme, refund.runId)).outputs).toMatchObject({ action: 'reject', values: { amount: 1 } });
  });

  it('shows the form only to the roles an approval names', async () => {
    const adminsOnly = await runWaiting(acme, { prompt: 'Delete the **archive**?', allowedRoles: ['admin'] }, 'admins-only');
    const page = await s.page();
    await signIn(page, await acme.person('operator', 'oona'), '/console/approvals');
    const theirs = card(page, adminsOnly.approval.id);
    await theirs.getByText('Only admin may decide this approval (your role: operator)').waitFor();
    await expect(theirs.getByRole('button').count()).resolves.toBe(0);
    expect((await acme.api('POST', `/v1/approvals/${adminsOnly.approval.id}`, { action: 'reject' })).status).toBe(200);
    await theirs.waitFor({ state: 'detached' });
  });

  it('shows an empty inbox plainly', async () => {
    const other = await s.workspace('empty');
    const page = await s.page();
    await signIn(page, await other.person('operator'), '/console/approvals');
    await page.getByText('Nothing to decide').waitFor();
    await expect(page.locator('article').count()).resolves.toBe(0);
  });
});

describe('the run page', () => {
  it('shows the open approval of a waiting run with its form; deciding it there lets the run finish', async () => {
    const { runId, approval } = await runWaiting(acme, { prompt: 'Ship **build 9**?', fields: { reason: { type: 'text', required: true, label: 'Reason' } } }, 'run-page');
    const page = await s.page();
    await signIn(page, await acme.person('developer', 'dev'), `/console/runs/${runId}`);
    const panel = page.locator('section', { has: page.getByRole('heading', { name: 'Waiting for a decision' }) });
    const theirs = panel.locator(`article[data-approval-id="${approval.id}"]`);
    await theirs.locator('strong', { hasText: 'build 9' }).waitFor();
    await theirs.getByLabel('Reason').fill('tested');
    await theirs.getByRole('button', { name: 'Approve' }).click();
    await page.locator('[data-run-status="succeeded"]').first().waitFor();
    expect((await ended(acme, runId)).outputs).toMatchObject({ action: 'approve', values: { reason: 'tested' }, actor: { kind: 'account', role: 'developer' } });
  }, 60_000);
});

describe('the signed form link page', () => {
  it('decides an approval without signing in, once; opened again it says the link is used up', async () => {
    const { runId, approval } = await runWaiting(acme, { prompt: 'Refund **order 7**?', fields: { reason: { type: 'text', required: true, label: 'Reason' } } }, 'form-link');
    const link = `/console/forms/${tokens.sign(approval.id, new Date(approval.expiresAt))}`;
    const page = await s.page({ width: 390, height: 800 });
    await page.goto(link);
    await page.getByRole('heading', { name: 'A decision is needed' }).waitFor();
    await expect(page.locator('strong', { hasText: 'order 7' }).count()).resolves.toBe(1);
    await expect(page.getByRole('button', { name: 'Sign out' }).count()).resolves.toBe(0);
    expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth + 1')).toBe(true);

    await page.getByRole('button', { name: 'Reject' }).click();
    await page.locator('.error-text', { hasText: 'required' }).waitFor();
    await page.getByLabel('Reason').fill('too late');
    await page.getByRole('button', { name: 'Reject' }).click();
    await page.getByRole('heading', { name: 'Thank you: your decision was recorded' }).waitFor();

    const run = await ended(acme, runId);
    expect([run.status, run.outputs]).toEqual(['succeeded', { action: 'reject', values: { reason: 'too late' } }]);
    expect((await acme.api('GET', `/v1/approvals/${approval.id}`)).body.data.actor).toEqual({ kind: 'form', id: approval.id });

    await page.reload();
    await page.getByRole('heading', { name: 'This link was already used or has expired' }).waitFor();
    await expect(page.getByRole('button').count()).resolves.toBe(0);
    // A link that was never ours says so too.
    await page.goto('/console/forms/f1.not.a.link');
    await page.getByRole('heading', { name: 'This link is not valid' }).waitFor();
  }, 60_000);
});

afterAll(() => {
  // No page threw while these tests ran.
  expect(s.consoleErrors).toEqual([]);
});
