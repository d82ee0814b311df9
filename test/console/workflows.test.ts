import type { Locator, Page } from 'playwright-core';
import { screenshot, signIn, startConsoleSuite, type ConsoleSuite, type TestWorkspace } from '../support/browser';
import { eventually } from '../support/harness';

// The console's workflows section in a real Chromium against the real stack (API, PostgreSQL,
// Temporal and a worker): create, validate with the issues drawn on the nodes, save, publish, run
// with the generated form; what a viewer and an operator may see; search; a narrow window.
let s: ConsoleSuite & { consoleErrors: string[] };
let acme: TestWorkspace;

beforeAll(async () => {
  s = await startConsoleSuite('console-workflows', {}, { worker: true });
  acme = await s.workspace('acme');
});
afterAll(async () => {
  await s?.close();
});

/** A graph with an iteration (a container, drawn as a group) greeting each item; `greeting` is the inner template. */
function greeterGraph(greeting: string) {
  return {
    dsl: 'weft/v1',
    inputs: {
      name: { type: 'string', required: true, description: 'Who to greet' },
      items: { type: 'array', default: ['tea', 'cake'], description: 'What to offer' },
    },
    nodes: [
      { id: 'start', type: 'start' },
      {
        id: 'each',
        type: 'iteration',
        data: {
          items: '{{ start.items }}',
          output: '{{ greet.text }}',
          graph: {
            nodes: [
              { id: 's1', type: 'start' },
              { id: 'greet', type: 'template', data: { template: greeting } },
              { id: 'e1', type: 'end', data: { outputs: {} } },
            ],
            edges: [
              { source: 's1', target: 'greet' },
              { source: 'greet', target: 'e1' },
            ],
          },
        },
      },
      { id: 'end', type: 'end', data: { outputs: { offers: '{{ each.results }}' } } },
    ],
    edges: [
      { source: 'start', target: 'each' },
      { source: 'each', target: 'end' },
    ],
  };
}
const VALID = greeterGraph('{{ each.item }} for {{ start.name }}');
// A reference to a node that is not in the graph: the validator names the inner node that makes it.
const INVALID = greeterGraph('{{ each.item }} for {{ ghost.text }}');

describe('a developer', () => {
  it('creates a workflow, sees the validator’s issues on the node they name, fixes, saves, publishes and runs it', async () => {
    const dev = await acme.person('developer', 'dana');
    const page = await s.page();
    await signIn(page, dev, '/console/workflows');
    await page.getByText('No workflows yet').waitFor();

    // The empty state offers a new workflow; the form starts with a valid start → end graph.
    await page.getByRole('button', { name: 'New workflow' }).first().click();
    await page.getByLabel('Name', { exact: true }).fill('Greeter');
    await page.getByLabel(/^Description/).fill('Offers things to a guest');
    expect(JSON.parse(await page.getByLabel('Graph', { exact: true }).inputValue())).toMatchObject({ dsl: 'weft/v1', nodes: [{ type: 'start' }, { type: 'end' }] });
    await page.getByRole('button', { name: 'Create workflow' }).click();
    await page.waitForURL(/\/console\/workflows\/[^/]+$/);
    const workflowId = decodeURIComponent(new URL(page.url()).pathname.split('/').pop()!);
    await page.getByRole('heading', { name: 'Greeter' }).waitFor();
    await page.locator('[data-node-type="start"]').waitFor();

    // An invalid draft, as YAML: Validate draws the issue on the inner node it names and lists it.
    await page.getByRole('button', { name: 'YAML' }).click();
    await until(async () => /^dsl: weft\/v1/.test(await page.getByLabel('Draft graph').inputValue()));
    await page.getByRole('button', { name: 'JSON' }).click();
    await page.getByLabel('Draft graph').fill(JSON.stringify(INVALID, null, 2));
    await page.locator('[data-node-type="iteration"][data-node-id="each"]').waitFor();
    await page.getByRole('button', { name: 'Validate' }).click();
    const onNode = page.locator('.weft-node.has-issues[data-node-id="greet"]');
    await onNode.waitFor();
    expect(await onNode.textContent()).toContain('ghost');
    const listed = page.getByRole('alert', { name: 'Problems in the graph' }).locator('li[data-issue-node="greet"]');
    await listed.first().waitFor();
    expect(await listed.first().textContent()).toMatch(/ghost/);
    expect(await page.locator('.weft-node.has-issues').count()).toBe(1);
    await screenshot(page, 'workflow-page');
    // Saving it is refused with the same issues; the draft on the server is unchanged.
    await page.getByRole('button', { name: 'Save draft' }).click();
    await page.getByRole('alert', { name: 'Problems in the graph' }).waitFor();
    expect((await acme.api('GET', `/v1/workflows/${workflowId}`)).body.data.draft.nodes).toHaveLength(2);

    // Fixed: valid, saved, published; version 1 is in the picker and draws the container.
    await page.getByLabel('Draft graph').fill(JSON.stringify(VALID, null, 2));
    await page.getByRole('button', { name: 'Validate' }).click();
    await page.getByText('The graph is valid.').waitFor();
    expect(await page.locator('.weft-node.has-issues').count()).toBe(0);
    await page.getByRole('button', { name: 'Save draft' }).click();
    await page.getByText('Draft saved.').waitFor();
    await page.getByRole('button', { name: 'Publish' }).click();
    await page.getByText('Published version 1.').waitFor();
    const picker = page.getByLabel('Version', { exact: true });
    await picker.locator('option', { hasText: /^v1 ·/ }).waitFor({ state: 'attached' });
    await picker.selectOption('1');
    await page.locator('[data-node-type="iteration"][data-node-id="each"]').waitFor();
    await page.locator('[data-node-id="greet"]').waitFor();
    expect((await acme.api('GET', `/v1/workflows/${workflowId}/versions/1`)).body.data.graph.nodes[1].data.graph.nodes[1].data.template).toBe('{{ each.item }} for {{ start.name }}');

    // Run v1 with the form made from its inputs: the required name is asked for, the default list prefilled.
    expect(await selectedLabel(page.getByLabel('Version to run'))).toBe('Latest published (v1)');
    const items = page.getByRole('textbox', { name: /^items/ });
    expect(JSON.parse(await items.inputValue())).toEqual(['tea', 'cake']);
    await page.locator('.run-form').getByText('Who to greet', { exact: true }).waitFor();
    await page.getByRole('button', { name: 'Start run' }).click();
    await page.getByText('Required.').waitFor();
    await page.getByRole('textbox', { name: /^name/ }).fill('Ada');
    await items.fill('["tea"]');
    await page.getByRole('button', { name: 'Start run' }).click();
    await page.waitForURL(/\/console\/runs\/[^/]+$/);
    const runId = decodeURIComponent(new URL(page.url()).pathname.split('/').pop()!);
    const run = (await acme.api('GET', `/v1/runs/${runId}`)).body.data;
    expect(run).toMatchObject({ workflowId, version: 1, inputs: { name: 'Ada', items: ['tea'] } });
    const ended = await eventually(async () => {
      const r = (await acme.api('GET', `/v1/runs/${runId}`)).body.data;
      return r.status === 'running' || r.status === 'queued' ? undefined : r;
    });
    expect(ended).toMatchObject({ status: 'succeeded', outputs: { offers: ['tea for Ada'] } });
  });

  it('sees a new workflow’s invalid graph refused with its issues, reaching the form by keyboard', async () => {
    const dev = await acme.person('developer', 'kai');
    const page = await s.page();
    await signIn(page, dev, '/console/workflows');
    await page.getByRole('button', { name: 'New workflow' }).first().focus();
    await page.keyboard.press('Enter');
    // The name field takes the focus; Tab goes on to the description.
    await page.keyboard.type('Broken one');
    await page.keyboard.press('Tab');
    await page.keyboard.type('No end');
    expect(await page.getByLabel(/^Description/).inputValue()).toBe('No end');
    await page.getByLabel('Graph', { exact: true }).fill(JSON.stringify({ dsl: 'weft/v1', nodes: [{ id: 'start', type: 'start' }, { id: 'x', type: 'template', data: { template: 'hi' } }], edges: [{ source: 'start', target: 'x' }, { source: 'x', target: 'nowhere' }] }));
    await page.getByRole('button', { name: 'Create workflow' }).click();
    const issues = page.getByRole('alert', { name: 'The graph is not valid' });
    await issues.waitFor();
    expect(await issues.locator('li').count()).toBeGreaterThan(0);
    expect(await issues.textContent()).toContain('nowhere');
    expect(new URL(page.url()).pathname).toBe('/console/workflows');
    // Text that is not JSON is caught before it is sent.
    await page.getByLabel('Graph', { exact: true }).fill('{ not json');
    await page.getByRole('button', { name: 'Create workflow' }).click();
    await page.getByText(/This is not valid JSON/).waitFor();
  });
});

describe('what each role sees', () => {
  let workflowId: string;
  beforeAll(async () => {
    const created = await acme.api('POST', '/v1/workflows', { name: 'Shown to everyone', graph: VALID });
    expect(created.status).toBe(201);
    workflowId = created.body.data.id;
    expect((await acme.api('POST', `/v1/workflows/${workflowId}/publish`)).status).toBe(201);
  });

  it('a viewer sees the list and the graph, and no New, Save, Publish or Run', async () => {
    const viewer = await acme.person('viewer', 'vera');
    const page = await s.page();
    await signIn(page, viewer, '/console/workflows');
    await page.getByRole('link', { name: 'Shown to everyone' }).click();
    await page.locator('[data-node-type="iteration"][data-node-id="each"]').waitFor();
    await page.getByLabel('Draft graph (read only)').waitFor();
    expect(await page.getByLabel('Draft graph (read only)').getAttribute('readonly')).not.toBeNull();
    for (const name of ['New workflow', 'Save draft', 'Publish', 'Start run']) expect(await page.getByRole('button', { name }).count()).toBe(0);
    expect(await page.getByRole('heading', { name: 'Run' }).count()).toBe(0);
    await page.goto('/console/workflows');
    await page.getByRole('link', { name: 'Shown to everyone' }).waitFor();
    expect(await page.getByRole('button', { name: 'New workflow' }).count()).toBe(0);
  });

  it('an operator may run the published version but not the draft, and may not edit', async () => {
    const operator = await acme.person('operator', 'otto');
    const page = await s.page();
    await signIn(page, operator, `/console/workflows/${encodeURIComponent(workflowId)}`);
    await page.getByRole('button', { name: 'Start run' }).waitFor();
    const options = await page.getByLabel('Version to run').locator('option').allTextContents();
    expect(options).toEqual(['Latest published (v1)']);
    for (const name of ['Save draft', 'Publish']) expect(await page.getByRole('button', { name }).count()).toBe(0);
  });
});

describe('the list', () => {
  it('finds workflows by part of the name, and says when none match', async () => {
    const ws = await s.workspace('search');
    for (const name of ['Weekly report', 'Daily REPORT', 'Onboarding']) expect((await ws.api('POST', '/v1/workflows', { name, graph: VALID })).status).toBe(201);
    const dev = await ws.person('developer', 'sam');
    const page = await s.page();
    await signIn(page, dev, '/console/workflows');
    await page.getByRole('link', { name: 'Onboarding' }).waitFor();
    const search = page.getByRole('searchbox', { name: 'Search by name' });
    await search.fill('report');
    await waitForRows(page, ['Daily REPORT', 'Weekly report']);
    await search.fill('onboard');
    await waitForRows(page, ['Onboarding']);
    await search.fill('nothing like it');
    await page.getByText('No workflow’s name contains “nothing like it”').waitFor();
  });

  it('is readable on a narrow window', async () => {
    const ws = await s.workspace('narrow');
    expect((await ws.api('POST', '/v1/workflows', { name: `A long name that has to wrap on a phone ${'x'.repeat(80)}`, graph: VALID })).status).toBe(201);
    const dev = await ws.person('developer', 'nina');
    const page = await s.page({ width: 390, height: 800 });
    await signIn(page, dev, '/console/workflows');
    await page.getByRole('link', { name: /^A long name/ }).click();
    await page.locator('[data-node-id="each"]').waitFor();
    await page.getByRole('button', { name: 'Start run' }).waitFor();
    expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth + 1')).toBe(true);
  });
});

afterAll(() => {
  expect(s.consoleErrors).toEqual([]);
});

async function waitForRows(page: Page, names: string[]) {
  const rows = page.locator('tbody tr a');
  await until(async () => JSON.stringify((await rows.allTextContents()).sort()) === JSON.stringify([...names].sort()));
}

/** Waits until the check holds: the page updates after an event, not in the same tick. */
async function until(check: () => Promise<boolean>): Promise<void> {
  await eventually(async () => (await check()) || undefined, 10_000, 50);
}
const selectedLabel = (select: Locator) => select.evaluate((el) => (el as unknown as { selectedOptions: { textContent: string | null }[] }).selectedOptions[0]?.textContent ?? '');
