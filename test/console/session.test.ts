import type { Locator } from 'playwright-core';
import { signIn, startConsoleSuite, type ConsoleSuite, type TestWorkspace } from '../support/browser';

// The console's frame in a real Chromium against the real API: how it is served, sign-in, a session
// that survives a reload and ends cleanly, the workspace switcher and sign-out.
let s: ConsoleSuite & { consoleErrors: string[] };
let acme: TestWorkspace;
let globex: TestWorkspace;

beforeAll(async () => {
  s = await startConsoleSuite('console-session', {}, { worker: false });
  acme = await s.workspace('acme');
  globex = await s.workspace('globex');
});
afterAll(async () => {
  await s?.close();
});

describe('how the console is served', () => {
  it('serves its page under /console with headers that keep it to its own origin, and its own paths too', async () => {
    for (const path of ['/console/', '/console/runs/run_123', '/console/settings/members']) {
      const res = await fetch(`${s.h.url}${path}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/text\/html/);
      expect(res.headers.get('content-security-policy')).toMatch(/default-src 'self'.*frame-ancestors 'none'/);
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(await res.text()).toContain('<div id="root">');
    }
    const redirect = await fetch(`${s.h.url}/console`, { redirect: 'manual' });
    expect(redirect.status).toBe(301);
    expect(redirect.headers.get('location')).toBe('/console/');
  });

  it('answers a missing asset with 404, not the page, and anything but a read with the API’s own 404', async () => {
    expect((await fetch(`${s.h.url}/console/assets/gone-123.js`)).status).toBe(404);
    const post = await fetch(`${s.h.url}/console/runs`, { method: 'POST' });
    expect(post.status).toBe(404);
    expect(((await post.json()) as { code: string }).code).toBe('route_not_found');
  });
});

describe('sign-in and the session', () => {
  it('refuses a wrong password with a message, signs in, survives a reload, and signs out', async () => {
    const dev = await acme.person('developer', 'dana');
    const page = await s.page();
    await page.goto('/console/runs');
    // Not signed in: the sign-in page, which returns to the page asked for.
    await page.getByRole('heading', { name: 'Sign in to Weft' }).waitFor();
    await page.getByLabel('Email').fill(dev.email);
    await page.getByLabel('Password').fill('not the password at all');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expectText(page.getByRole('alert'), 'The email or the password is not right');

    await page.getByLabel('Password').fill(dev.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/console/runs');
    await expectText(page.locator('.topbar'), dev.email);

    await page.reload();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/console/runs');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in to Weft' }).waitFor();
    // The session is over on the server too: its refresh token no longer works.
    const stored = await page.evaluate('localStorage.getItem("weft.session")');
    expect(stored).toBeNull();
  });

  it('ends a session the server no longer accepts with a clear message, and signs in again to the same page', async () => {
    const dev = await acme.person('developer', 'eve');
    const page = await s.page();
    await signIn(page, dev, '/console/workflows');
    // The access token has expired and the refresh token was revoked (as after a password change elsewhere).
    await page.evaluate(`(() => {
      const stored = JSON.parse(localStorage.getItem('weft.session'));
      localStorage.setItem('weft.session', JSON.stringify({ ...stored, accessExpiresAt: 0, refreshToken: 'revoked-elsewhere' }));
    })()`);
    await page.goto('/console/approvals');
    await expectText(page.getByRole('status'), 'Your session has ended');
    await page.getByLabel('Email').fill(dev.email);
    await page.getByLabel('Password').fill(dev.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/console/approvals');
  });

  it('switches between the workspaces of the account, and never follows a sign-in link off the console', async () => {
    const person = await acme.person('viewer', 'wanda');
    await s.h.prisma.membership.create({ data: { id: `mem_${Date.now()}`, tenantId: globex.tenantId, accountId: person.accountId, role: 'admin' } });
    const page = await s.page();
    await page.goto('/console/sign-in?next=//evil.example/x');
    await page.getByLabel('Email').fill(person.email);
    await page.getByLabel('Password').fill(person.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    expect(new URL(page.url()).origin).toBe(s.h.url);
    const switcher = page.getByLabel('Workspace');
    const options = await switcher.locator('option').allTextContents();
    expect(options.sort()).toEqual([`${acme.name} (viewer)`, `${globex.name} (admin)`].sort());
    await switcher.selectOption({ label: `${globex.name} (admin)` });
    // The choice holds over a reload, and every request names it.
    await page.reload();
    const sent = page.waitForRequest((r) => r.url().includes('/v1/') && r.headers()['x-workspace-id'] === globex.tenantId);
    await page.getByRole('link', { name: 'Runs' }).click();
    await sent;
    expect(await page.getByLabel('Workspace').inputValue()).toBe(globex.tenantId);
  });

  it('is readable on a narrow window: the sections stay reachable', async () => {
    const dev = await acme.person('developer', 'nina');
    const page = await s.page({ width: 390, height: 800 });
    await signIn(page, dev);
    for (const name of ['Workflows', 'Runs', 'Approvals', 'Knowledge', 'Settings']) await expect(page.getByRole('link', { name }).isVisible()).resolves.toBe(true);
    expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth + 1')).toBe(true);
  });
});

afterAll(() => {
  expect(s.consoleErrors).toEqual([]);
});

async function expectText(locator: Locator, text: string) {
  await locator.filter({ hasText: text }).first().waitFor();
}
