import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { Role } from '@weft/domain';
import { createTenantKey } from '../../apps/api/src/auth/api-keys';
import { personWithPassword } from './accounts';
import { httpClient, startHarness, type Harness } from './harness';

/** Where the browser tests' screenshots go: committed, and linked from the README. */
export const SCREENSHOTS = resolve(__dirname, '../../docs/screenshots');

// Debian's Chromium (scripts/lib.sh ensure_chromium), driven by playwright-core: no browser download.
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-dev-shm-usage'];

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: process.env.WEFT_CHROMIUM ?? '/usr/bin/chromium', args: CHROMIUM_ARGS, headless: true });
}

/** A workspace made for a suite: its id, an admin key for setting things up over the API, and people in it. */
export interface TestWorkspace {
  tenantId: string;
  name: string;
  /** the API as an admin key of this workspace */
  api: ReturnType<typeof httpClient>;
  /** a person with the role who can sign in with the password */
  person(role: Role, label?: string): Promise<{ accountId: string; email: string; password: string }>;
}

export interface ConsoleSuite {
  h: Harness;
  browser: Browser;
  /** a new workspace with a unique name */
  workspace(label: string): Promise<TestWorkspace>;
  /** a fresh browser context (its own storage) and a page at 1280×800 unless told */
  page(viewport?: { width: number; height: number }): Promise<Page>;
  close(): Promise<void>;
}

/**
 * The real stack for a console suite: the API (serving the built console under /console) on a
 * loopback port with a worker of its own, and a headless Chromium. Every page's console errors and
 * failed requests of the console's own files fail nothing by themselves, but are kept in
 * `consoleErrors` for a suite to assert on.
 */
export async function startConsoleSuite(name: string, overrides: Record<string, string> = {}, options: { worker?: boolean } = {}): Promise<ConsoleSuite & { consoleErrors: string[] }> {
  const h = await startHarness(name, { WEFT_RATE_LIMIT_ADDRESS_PER_MINUTE: '0', ...overrides });
  if (options.worker !== false) await h.startWorker();
  const browser = await launchChromium();
  const contexts: BrowserContext[] = [];
  const consoleErrors: string[] = [];
  let n = 0;
  return {
    h,
    browser,
    consoleErrors,
    async workspace(label) {
      const wsName = `${label}-${name}-${Date.now().toString(36)}-${n++}`;
      const { tenantId, key } = await createTenantKey(h.prisma, wsName, 'admin');
      return { tenantId, name: wsName, api: httpClient(h.url, key), person: (role, who) => personWithPassword(h.prisma, tenantId, role, who ?? role) };
    },
    async page(viewport = { width: 1280, height: 800 }) {
      const context = await browser.newContext({ viewport, baseURL: h.url });
      context.setDefaultTimeout(15_000);
      contexts.push(context);
      const page = await context.newPage();
      page.on('pageerror', (err) => consoleErrors.push(`pageerror: ${err.message}`));
      return page;
    },
    async close() {
      for (const c of contexts) await c.close().catch(() => undefined);
      await browser.close().catch(() => undefined);
      await h.close();
    },
  };
}

/** Signs in through the sign-in page and waits for the console's frame. */
export async function signIn(page: Page, person: { email: string; password: string }, path = '/console/'): Promise<void> {
  await page.goto(path);
  await page.getByLabel('Email').fill(person.email);
  await page.getByLabel('Password').fill(person.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

/** A full-page screenshot into docs/screenshots/<name>.png (linked from the README). */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = resolve(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
