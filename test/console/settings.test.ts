import type { Locator } from 'playwright-core';
import { newId } from '../../apps/api/src/auth/api-keys';
import { httpClient, publishGraph } from '../support/harness';
import { end, graph, start } from '../support/graph-builder';
import { screenshot, signIn, startConsoleSuite, type ConsoleSuite, type TestWorkspace } from '../support/browser';

// The console's workspace settings in a real Chromium against the real API: members and
// invitations, API keys shown once, usage against the quotas, and the audit log, as an admin, an
// owner and a viewer see them.
let s: ConsoleSuite & { consoleErrors: string[] };
let acme: TestWorkspace;

beforeAll(async () => {
  s = await startConsoleSuite('console-settings', {}, { worker: false });
  acme = await s.workspace('acme');
});
afterAll(async () => {
  await s?.close();
});

describe('API keys', () => {
  it('creates a key shown once that works, not shown after a reload, revokes it (refused from then on), and the audit log lists both', async () => {
    const admin = await acme.person('admin', 'ada');
    const page = await s.page();
    await signIn(page, admin, '/console/settings');
    // /settings opens on the members.
    await page.getByRole('heading', { name: 'Members' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/console/settings/members');

    await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'API keys' }).click();
    await page.getByLabel('Name').fill('ci deploys');
    await page.getByLabel('Role').selectOption('operator');
    await page.getByLabel('Expires in (days, optional)').fill('30');
    await page.getByRole('button', { name: 'Create key' }).click();
    const panel = page.getByRole('region', { name: 'New API key: ci deploys' });
    await panel.getByText('it will not be shown again').waitFor();
    const key = (await panel.getByTestId('shown-once').textContent())?.trim() ?? '';
    expect(key).toMatch(/^sk-/);
    const row = page.locator('tr[data-key-name="ci deploys"]');
    await expectText(row, 'operator');
    await expectText(row, 'active');
    const keyId = await row.getAttribute('data-key-id');

    // The key works against the API, with the role it was given.
    const withKey = httpClient(s.h.url, key);
    expect((await withKey('GET', '/v1/workflows')).status).toBe(200);
    expect((await withKey('POST', '/v1/workflows', { name: 'nope', graph: graph([start, end({})], [['start', 'end']]) })).status).toBe(403);

    // Dismissed or reloaded, the secret is gone for good: the list shows its prefix only.
    await page.reload();
    await row.waitFor();
    expect(await page.getByTestId('shown-once').count()).toBe(0);
    expect(await page.locator('main').textContent()).not.toContain(key);
    await expectText(row, key.slice(0, 7));

    await row.getByRole('button', { name: 'Revoke ci deploys' }).click();
    await row.getByRole('button', { name: 'Yes, revoke' }).click();
    await expectText(row, 'revoked');
    expect(await row.getByRole('button', { name: 'Revoke ci deploys' }).count()).toBe(0);
    expect((await withKey('GET', '/v1/workflows')).status).toBe(401);

    await page.getByRole('link', { name: 'Audit log' }).click();
    const created = page.locator(`li[data-action="api_key.create"][data-object-id="${keyId}"]`);
    const revoked = page.locator(`li[data-action="api_key.revoke"][data-object-id="${keyId}"]`);
    await created.waitFor();
    await revoked.waitFor();
    // Before and after as JSON, folded until asked for; never the key itself.
    await created.getByText('Before and after').click();
    await expectText(created.locator('pre'), '"name": "ci deploys"');
    expect(await page.locator('main').textContent()).not.toContain(key);

    // A filter by action prefix keeps the key entries only.
    await page.getByLabel('Action').fill('api_key.');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.getByRole('button', { name: 'Clear' }).waitFor();
    await revoked.waitFor();
    const actions = await page.locator('li.audit-entry').evaluateAll((els) => els.map((e) => e.getAttribute('data-action')));
    expect(actions.length).toBeGreaterThanOrEqual(2);
    expect(actions.every((a) => a?.startsWith('api_key.'))).toBe(true);
  });
});

describe('API key rotation', () => {
  it('rotates a key on a narrow window: the new one shown once works, the old one is refused at once', async () => {
    const admin = await acme.person('admin', 'rita');
    const page = await s.page({ width: 390, height: 800 });
    await signIn(page, admin, '/console/settings/api-keys');
    await page.getByLabel('Name').fill('rotating');
    await page.getByRole('button', { name: 'Create key' }).click();
    const first = page.getByRole('region', { name: 'New API key: rotating' });
    const oldKey = (await first.getByTestId('shown-once').textContent())?.trim() ?? '';
    await first.getByRole('button', { name: 'Done, I have copied it' }).click();
    expect(await page.getByTestId('shown-once').count()).toBe(0);

    const row = page.locator('tr[data-key-name="rotating"]').filter({ hasText: 'active' });
    await row.getByRole('button', { name: 'Rotate rotating' }).click();
    await row.getByRole('button', { name: 'Yes, rotate' }).click();
    const second = page.getByRole('region', { name: 'Rotated API key: rotating' });
    const newKey = (await second.getByTestId('shown-once').textContent())?.trim() ?? '';
    expect(newKey).toMatch(/^sk-/);
    expect(newKey).not.toBe(oldKey);
    await expectText(page.locator('tr[data-key-name="rotating"]'), 'revoked');
    // The wide table scrolls inside its frame; the page itself never does sideways.
    expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth + 1')).toBe(true);
    await page.getByRole('link', { name: 'Members' }).click();
    await page.locator(`tr[data-member="${admin.email}"]`).waitFor();
    expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth + 1')).toBe(true);
    expect((await httpClient(s.h.url, oldKey)('GET', '/v1/workflows')).status).toBe(401);
    expect((await httpClient(s.h.url, newKey)('GET', '/v1/workflows')).status).toBe(200);
  });
});

describe('members and invitations', () => {
  it('invites by email with the accept link shown once, lists the pending invitation, and changes a member’s role', async () => {
    const admin = await acme.person('admin', 'abe');
    const oscar = await acme.person('operator', 'oscar');
    const page = await s.page();
    await signIn(page, admin, '/console/settings/members');

    const email = `invitee.${Date.now()}@example.test`;
    const form = page.getByRole('form', { name: 'Invite someone' });
    await form.getByLabel('Email').fill(email);
    await form.getByLabel('Role').selectOption('developer');
    await form.getByRole('button', { name: 'Invite' }).click();
    const panel = page.getByRole('region', { name: `Invitation link for ${email}` });
    await panel.getByText('it will not be shown again').waitFor();
    const link = (await panel.getByTestId('shown-once').textContent())?.trim() ?? '';
    expect(link).toMatch(new RegExp(`^${s.h.url}/v1/invitations/.+/accept$`));
    const pending = page.locator(`tr[data-invitation="${email}"]`);
    await expectText(pending, 'developer');
    const stored = await s.h.prisma.invitation.findFirst({ where: { tenantId: acme.tenantId, email } });
    expect(stored?.role).toBe('developer');

    // A role change holds on the server.
    await page.getByLabel(`Role of ${oscar.email}`).selectOption('developer');
    await expectText(page.getByRole('status'), `${oscar.email} is now developer.`);
    const membership = await s.h.prisma.membership.findFirst({ where: { tenantId: acme.tenantId, accountId: oscar.accountId } });
    expect(membership?.role).toBe('developer');
    // An admin is offered no role above their own, and cannot touch an owner's.
    const options = await page.getByLabel(`Role of ${oscar.email}`).locator('option').allTextContents();
    expect(options).toEqual(['admin', 'developer', 'operator', 'viewer']);

    // Revoking the invitation takes it off the pending list.
    // By keyboard: the question takes the focus (on Cancel), the confirming button is one step back.
    await pending.getByRole('button', { name: `Revoke invitation of ${email}` }).focus();
    await page.keyboard.press('Enter');
    await pending.getByRole('button', { name: 'Cancel' }).waitFor();
    expect(await page.evaluate('document.activeElement.textContent')).toBe('Cancel');
    await page.keyboard.press('Shift+Tab');
    expect(await page.evaluate('document.activeElement.textContent')).toBe('Yes, revoke');
    await page.keyboard.press('Enter');
    await page.getByText('No pending invitations').waitFor();
  });

  it('says the API’s role rules in plain words: the last owner cannot step down; an owner sets the quotas', async () => {
    const ws = await s.workspace('solo');
    const owner = await ws.person('owner', 'olga');
    const page = await s.page();
    await signIn(page, owner, '/console/settings/members');
    await page.getByLabel(`Role of ${owner.email}`).selectOption('admin');
    await expectText(page.getByRole('alert'), 'The workspace would have no owner left');
    const membership = await s.h.prisma.membership.findFirst({ where: { tenantId: ws.tenantId, accountId: owner.accountId } });
    expect(membership?.role).toBe('owner');

    await page.getByRole('link', { name: 'Usage and quotas' }).click();
    await expectText(page.locator('.who-sets'), owner.email);
    await page.getByRole('button', { name: 'Change quotas' }).click();
    await page.getByLabel('Runs per day (UTC)').fill('500');
    await page.getByRole('button', { name: 'Save quotas' }).click();
    const row = page.locator('tr[data-quota-field="runsPerDay"]');
    await expectText(row, '500');
    await expectText(row, 'this workspace');
    expect((await ws.api('GET', '/v1/quotas')).body.data.runsPerDay).toEqual({ limit: 500, source: 'workspace' });
  });
});

describe('usage', () => {
  let usageWs: TestWorkspace;
  let owner: { email: string; password: string };
  beforeAll(async () => {
    // Two runs started today through the API (no worker: they stay queued, which is still a start)
    // and LLM tokens on today and yesterday, as the quota tests seed them.
    usageWs = await s.workspace('busy');
    const workflowId = await publishGraph(usageWs.api, graph([start, end({ done: 'yes' })], [['start', 'end']]));
    const runs: string[] = [];
    for (let i = 0; i < 2; i++) {
      const r = await usageWs.api('POST', `/v1/workflows/${workflowId}/runs`, { inputs: {} });
      expect(r.status).toBe(202);
      runs.push(r.body.data.id as string);
    }
    const yesterday = new Date(Date.now() - 86_400_000);
    await s.h.prisma.llmCall.createMany({
      data: [
        { id: newId('llm'), tenantId: usageWs.tenantId, runId: runs[0]!, nodeKey: 'x', attempt: 1, provider: 'openai', model: 'm', inputTokens: 1200, outputTokens: 300 },
        { id: newId('llm'), tenantId: usageWs.tenantId, runId: runs[1]!, nodeKey: 'y', attempt: 1, provider: 'openai', model: 'm', inputTokens: 800, outputTokens: 400, createdAt: yesterday },
      ],
    });
    // Quotas are set by an owner (an admin key may not), with an account's session.
    expect((await usageWs.api('PUT', '/v1/quotas', { concurrentRuns: 10 })).status).toBe(403);
    owner = await usageWs.person('owner', 'otto');
    const session = await httpClient(s.h.url)('POST', '/v1/auth/sign-in', { email: owner.email, password: owner.password, workspaceId: usageWs.tenantId });
    expect(session.status).toBe(200);
    const asOwner = httpClient(s.h.url, session.body.data.accessToken as string);
    expect((await asOwner('PUT', '/v1/quotas', { concurrentRuns: 10, runsPerDay: 3, llmTokensPerMonth: 3000 })).status).toBe(200);
  });

  it('shows the use against each quota and the runs and tokens per day as bar charts with their numbers', async () => {
    const admin = await usageWs.person('admin', 'una');
    const page = await s.page();
    await signIn(page, admin, '/console/settings/usage');
    const runsChart = page.locator('figure[data-chart="runs-per-day"]');
    await runsChart.locator('svg rect.bar').first().waitFor();
    const today = new Date().toISOString().slice(0, 10);
    expect(await runsChart.locator(`g[data-day="${today}"] rect.bar`).getAttribute('data-value')).toBe('2');
    expect(await runsChart.locator('svg title').textContent()).toBe('Runs started per day');
    expect(await runsChart.locator('svg desc').textContent()).toContain('2 runs started');
    // The numbers for a screen reader: a hidden table, a row per day.
    expect(await runsChart.locator('table tbody tr').count()).toBe(30);
    const tokens = page.locator('figure[data-chart="tokens-per-day"]');
    expect(await tokens.locator('rect.bar').count()).toBe(4);
    expect(await tokens.locator('svg desc').textContent()).toContain('2,700 tokens');

    await expectText(page.locator('[data-quota="Runs today (UTC)"]'), '2 of 3 used (67%)');
    await expectText(page.locator('[data-quota="Concurrent runs"]'), '2 of 10 used (20%)');
    await expectText(page.locator('[data-quota="Stored documents"]'), '0 used, no limit');
    expect(await page.getByRole('img', { name: 'LLM tokens this month: 2,700 of 3,000 used (90%)' }).count()).toBe(1);
    await expectText(page.locator('tr[data-quota-field="runsPerDay"]'), 'this workspace');
    // Not an owner: no form, and the page says who may change the quotas.
    await expectText(page.locator('.who-sets'), 'Ask an owner');
    await expectText(page.locator('.who-sets'), owner.email);
    expect(await page.getByRole('button', { name: 'Change quotas' }).count()).toBe(0);
    await screenshot(page, 'settings-usage');

    await page.getByLabel('Range').selectOption('7');
    await runsChart.locator('table tbody tr').nth(6).waitFor();
    expect(await runsChart.locator('table tbody tr').count()).toBe(7);
  });

  it('shows a viewer the members and the usage without any control, and the audit log as not allowed, also on a narrow window', async () => {
    const viewer = await usageWs.person('viewer', 'vic');
    const opal = await usageWs.person('operator', 'opal');
    const page = await s.page({ width: 390, height: 800 });
    await signIn(page, viewer, '/console/settings/members');
    await page.locator(`tr[data-member="${viewer.email}"]`).waitFor();
    await page.locator(`tr[data-member="${opal.email}"]`).waitFor();
    expect(await page.getByRole('button', { name: 'Invite' }).count()).toBe(0);
    expect(await page.getByRole('combobox', { name: /^Role of/ }).count()).toBe(0);
    expect(await page.getByRole('button', { name: /^Remove / }).count()).toBe(0);
    expect(await page.getByRole('heading', { name: 'Pending invitations' }).count()).toBe(0);
    // Leaving is theirs to do.
    await page.getByRole('button', { name: 'Leave workspace' }).waitFor();

    await page.getByRole('link', { name: 'API keys' }).click();
    await page.getByText('API keys are managed by admins and owners').waitFor();
    expect(await page.getByRole('button', { name: 'Create key' }).count()).toBe(0);

    await page.getByRole('link', { name: 'Usage and quotas' }).click();
    await page.locator('figure[data-chart="runs-per-day"] svg rect.bar').first().waitFor();
    expect(await page.getByRole('button', { name: 'Change quotas' }).count()).toBe(0);
    expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth + 1')).toBe(true);

    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.getByText('The audit log is not allowed for your role.').waitFor();
    expect(await page.locator('li.audit-entry').count()).toBe(0);

    // Leaving is a member's own choice: asked once more, then the workspace is gone from the frame.
    await page.getByRole('link', { name: 'Members' }).click();
    await page.getByRole('button', { name: 'Leave workspace' }).click();
    await page.getByRole('button', { name: 'Yes, leave' }).click();
    await page.getByText('You are not a member of any workspace yet.').waitFor();
    expect(await s.h.prisma.membership.count({ where: { tenantId: usageWs.tenantId, accountId: viewer.accountId } })).toBe(0);
  });
});

afterAll(() => {
  expect(s.consoleErrors).toEqual([]);
});

async function expectText(locator: Locator, text: string) {
  await locator.filter({ hasText: text }).first().waitFor();
}
