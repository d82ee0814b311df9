import type { Locator, Page } from 'playwright-core';
import { screenshot, signIn, startConsoleSuite, type ConsoleSuite, type TestWorkspace } from '../support/browser';
import { body, code, end, graph, start, startAt, tpl, type N } from '../support/graph-builder';
import { allowEntry } from '../support/llm-suite';
import { startOpenAiServer, type OpenAiServer } from '../support/openai-server';

// The runs section in a real Chromium against the real stack (API, worker, Temporal, PostgreSQL,
// Redis): the list that follows new runs, the run page whose graph takes its states from the live
// event stream, the timeline, the controls and who sees them, and streamed LLM text from the fake
// OpenAI server (the only fake).
let s: ConsoleSuite & { consoleErrors: string[] };
let llm: OpenAiServer;
let acme: TestWorkspace;
let operator: { email: string; password: string };

const hold = (id: string, duration: string): N => ({ id, type: 'wait', data: { duration } });

/** start → a → (wait) → b → (wait) → c → end: code nodes around durable timers, so the run is in flight a while. */
const steps = (pause: string) =>
  graph(
    [start, code('a', { n: 1 }), hold('w1', pause), code('b', { n: 2 }), hold('w2', pause), code('c', { n: 3 }), end({ c: '{{ c.n }}' })],
    [
      ['start', 'a'],
      ['a', 'w1'],
      ['w1', 'b'],
      ['b', 'w2'],
      ['w2', 'c'],
      ['c', 'end'],
    ],
  );
/** A run that stays running until someone does something about it. */
const longWait = graph([start, hold('hold', '10m'), end({ done: true })], [['start', 'hold'], ['hold', 'end']]);

beforeAll(async () => {
  llm = await startOpenAiServer();
  s = await startConsoleSuite('console-runs', { WEFT_MODEL_PROVIDER_ALLOWLIST: allowEntry(llm) });
  acme = await s.workspace('acme');
  operator = await acme.person('operator', 'olga');
}, 120_000);
afterAll(async () => {
  await s?.close();
  await llm?.close();
});

async function publish(ws: TestWorkspace, g: unknown, name: string): Promise<string> {
  const created = await ws.api('POST', '/v1/workflows', { name, graph: g });
  if (created.status !== 201) throw new Error(JSON.stringify(created.body));
  const published = await ws.api('POST', `/v1/workflows/${created.body.data.id}/publish`);
  if (published.status !== 201) throw new Error(JSON.stringify(published.body));
  return created.body.data.id as string;
}

async function startRun(ws: TestWorkspace, workflowId: string, inputs: Record<string, unknown> = {}): Promise<string> {
  const r = await ws.api('POST', `/v1/workflows/${workflowId}/runs`, { inputs, mode: 'async' });
  if (r.status !== 202) throw new Error(JSON.stringify(r.body));
  return r.body.data.id as string;
}

const node = (page: Page, id: string) => page.locator(`.weft-node[data-node-id="${id}"]`);
const runStatus = (page: Page, status: string) => page.locator(`.run-header [data-run-status="${status}"]`);

async function expectText(locator: Locator, text: string) {
  await locator.filter({ hasText: text }).first().waitFor();
  expect(await locator.filter({ hasText: text }).count()).toBeGreaterThan(0);
}

describe('the run page', () => {
  it('turns the nodes of a run in flight green live, without a reload, and the header reaches succeeded', async () => {
    const wf = await publish(acme, steps('3s'), 'three-steps');
    const page = await s.page();
    await signIn(page, operator, '/console/runs');
    const runId = await startRun(acme, wf);
    await page.goto(`/console/runs/${runId}`);
    // A marker on the window: a reload or a navigation would drop it.
    await page.evaluate('window.__sameDocument = true');
    await node(page, 'c').waitFor();
    // c runs after two 3 s timers: when the page first draws the graph, it has not happened yet.
    expect(await node(page, 'c').getAttribute('data-state')).not.toBe('succeeded');

    await node(page, 'a').and(page.locator('[data-state="succeeded"]')).waitFor({ timeout: 30_000 });
    await node(page, 'b').and(page.locator('[data-state="succeeded"]')).waitFor({ timeout: 30_000 });
    await node(page, 'c').and(page.locator('[data-state="succeeded"]')).waitFor({ timeout: 30_000 });
    await runStatus(page, 'succeeded').waitFor({ timeout: 30_000 });
    expect(await page.evaluate('window.__sameDocument')).toBe(true);
    for (const id of ['start', 'w1', 'w2', 'end']) await node(page, id).and(page.locator('[data-state="succeeded"]')).waitFor();

    // The timeline lists each execution; clicking a node in the graph narrows it to that node.
    await page.locator('.timeline-entry[data-node-key="c"]').waitFor();
    expect(await page.locator('.timeline-entry').count()).toBeGreaterThanOrEqual(7);
    await node(page, 'b').click();
    await page.getByRole('button', { name: 'Show every node' }).waitFor();
    expect(await page.locator('.timeline-entry').count()).toBe(1);
    await page.locator('.timeline-entry[data-node-key="b"] summary').click();
    await expectText(page.locator('.timeline-entry[data-node-key="b"] .json-block'), '"n": 2');
    await expectText(page.locator('.timeline-entry[data-node-key="b"] caption'), 'Attempts');

    // Temporal's Web UI opens in a new tab without handing it this page.
    const ui = page.getByRole('link', { name: /Temporal Web UI/ });
    expect(await ui.getAttribute('target')).toBe('_blank');
    expect(await ui.getAttribute('rel')).toBe('noopener noreferrer');
    expect(await ui.getAttribute('href')).toMatch(/^https?:\/\//);

    // The raw history is folded away until asked for, then read from the API.
    await page.getByText('Raw history').click();
    await expectText(page.locator('.history-list summary'), 'WORKFLOW_EXECUTION_STARTED');

    // The screenshot: every node green, the timeline with one execution opened, the history folded.
    await page.getByText('Raw history').click();
    await page.locator('.history-list').waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Show every node' }).click();
    await page.locator('.timeline-entry[data-node-key="c"] summary').click();
    await screenshot(page, 'run-page');
  }, 90_000);

  it('pauses, resumes and cancels a run from its page; a viewer sees no controls', async () => {
    const wf = await publish(acme, longWait, 'long-wait');
    const runId = await startRun(acme, wf);
    const page = await s.page();
    await signIn(page, operator, `/console/runs/${runId}`);
    await runStatus(page, 'running').waitFor({ timeout: 30_000 });
    await node(page, 'hold').and(page.locator('[data-state="running"]')).waitFor({ timeout: 30_000 });

    // A viewer on the same run: the page, but no control.
    const viewer = await acme.person('viewer', 'vic');
    const watching = await s.page();
    await signIn(watching, viewer, `/console/runs/${runId}`);
    await runStatus(watching, 'running').waitFor();
    await node(watching, 'hold').waitFor();
    for (const name of ['Pause', 'Resume', 'Cancel run']) expect(await watching.getByRole('button', { name, exact: true }).count()).toBe(0);
    await node(watching, 'hold').click();
    await watching.getByRole('heading', { name: /hold/ }).waitFor();
    expect(await watching.getByRole('button', { name: 'Rerun from this node' }).count()).toBe(0);

    await page.getByRole('button', { name: 'Pause', exact: true }).click();
    await runStatus(page, 'paused').waitFor();
    // The viewer's page follows the run.paused event.
    await runStatus(watching, 'paused').waitFor();
    expect(await page.getByRole('button', { name: 'Pause', exact: true }).count()).toBe(0);

    await page.getByRole('button', { name: 'Resume' }).click();
    await runStatus(page, 'running').waitFor();
    await runStatus(watching, 'running').waitFor();

    await page.getByRole('button', { name: 'Cancel run' }).click();
    await page.getByRole('button', { name: 'Keep it running' }).click();
    expect((await acme.api('GET', `/v1/runs/${runId}`)).body.data.status).toBe('running');
    await page.getByRole('button', { name: 'Cancel run' }).click();
    await page.getByRole('button', { name: 'Yes, cancel the run' }).click();
    await runStatus(page, 'cancelled').waitFor({ timeout: 30_000 });
    await runStatus(watching, 'cancelled').waitFor({ timeout: 30_000 });
    expect((await acme.api('GET', `/v1/runs/${runId}`)).body.data.status).toBe('cancelled');
    // An ended run offers no pause, resume or cancel; it offers a rerun from a node.
    for (const name of ['Pause', 'Resume', 'Cancel run']) expect(await page.getByRole('button', { name, exact: true }).count()).toBe(0);
    await node(page, 'hold').click();
    await page.getByRole('button', { name: 'Rerun from this node' }).waitFor();
  }, 90_000);

  it('reruns an ended run from a node and opens the new run', async () => {
    const wf = await publish(acme, steps('10ms'), 'rerun-me');
    const runId = await startRun(acme, wf);
    const page = await s.page();
    await signIn(page, operator, `/console/runs/${runId}`);
    await runStatus(page, 'succeeded').waitFor({ timeout: 30_000 });
    // The node picker: the same selection as a click in the graph, from the keyboard.
    await page.getByLabel('Node', { exact: true }).selectOption('b');
    await page.locator('.weft-node.selected[data-node-id="b"]').waitFor();
    await page.getByRole('button', { name: 'Rerun from this node' }).click();
    await page.waitForURL((u) => u.pathname.startsWith('/console/runs/') && !u.pathname.endsWith(runId));
    const newId = decodeURIComponent(new URL(page.url()).pathname.split('/').pop()!);
    await expectText(page.locator('.run-facts'), runId);
    await runStatus(page, 'succeeded').waitFor({ timeout: 30_000 });
    const rerun = (await acme.api('GET', `/v1/runs/${newId}`)).body.data;
    expect(rerun).toMatchObject({ originRunId: runId, rerunFromNodeId: 'b', status: 'succeeded' });
  }, 60_000);

  it('browses the items of an iteration in the timeline', async () => {
    const each: N = {
      id: 'each',
      type: 'iteration',
      data: { items: '{{ start.words }}', graph: body([startAt('inner'), tpl('shout', '{{ each.item }}!'), end({ text: '{{ shout.text }}' }, 'said')], [['inner', 'shout'], ['shout', 'said']]) },
    };
    const g = graph([start, each, end({ all: '{{ each.results }}' })], [['start', 'each'], ['each', 'end']], { words: { type: 'array', required: true } });
    const wf = await publish(acme, g, 'iterate');
    const runId = await startRun(acme, wf, { words: ['ash', 'birch', 'cedar'] });
    const page = await s.page();
    await signIn(page, operator, `/console/runs/${runId}`);
    await runStatus(page, 'succeeded').waitFor({ timeout: 30_000 });
    await node(page, 'shout').and(page.locator('[data-state="succeeded"]')).waitFor();
    const pass = page.getByLabel('Item or pass');
    await pass.waitFor();
    expect(await pass.locator('option').allTextContents()).toEqual(expect.arrayContaining(['All', 'item 0', 'item 1', 'item 2']));
    await pass.selectOption('item 1');
    await node(page, 'shout').click();
    await page.locator('.timeline-entry').first().waitFor();
    expect(await page.locator('.timeline-entry').count()).toBe(1);
    await page.locator('.timeline-entry summary').click();
    await expectText(page.locator('.timeline-entry .json-block'), 'birch!');
    expect(await page.locator('.timeline-entry .json-block').filter({ hasText: 'cedar!' }).count()).toBe(0);
  }, 60_000);

  it('shows a node waiting for an approval, with the approvals panel, and follows the decision', async () => {
    const gate: N = { id: 'gate', type: 'approval', data: { prompt: 'Ship it?', timeout: '1h' } };
    const wf = await publish(acme, graph([start, gate, end({ action: '{{ gate.action }}' })], [['start', 'gate'], ['gate', 'end', 'approve']]), 'gated');
    const runId = await startRun(acme, wf);
    // On a narrow window, as from a phone.
    const page = await s.page({ width: 390, height: 844 });
    await signIn(page, operator, `/console/runs/${runId}`);
    await node(page, 'gate').and(page.locator('[data-state="waiting"]')).waitFor({ timeout: 30_000 });
    await page.getByRole('heading', { name: 'Waiting for a decision' }).waitFor();
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    const open = (await acme.api('GET', `/v1/approvals?runId=${runId}&status=pending`)).body.data;
    expect(open).toHaveLength(1);
    const decided = await acme.api('POST', `/v1/approvals/${open[0].id}`, { action: 'approve' });
    expect(decided.status).toBe(200);
    await node(page, 'gate').and(page.locator('[data-state="succeeded"]')).waitFor({ timeout: 30_000 });
    await runStatus(page, 'succeeded').waitFor({ timeout: 30_000 });
    await page.getByRole('heading', { name: 'Waiting for a decision' }).waitFor({ state: 'detached' });
  }, 60_000);

  it('shows the text of an llm node with stream: true as it arrives', async () => {
    const added = await acme.api('POST', '/v1/model-providers', { name: 'local', type: 'openai', baseUrl: llm.url, apiKey: 'sk-provider-console-test' });
    expect(added.status).toBe(201);
    const answer = 'Weft weaves durable workflows from many small threads of work.';
    llm.enqueue({ kind: 'text', text: answer, chunkDelayMs: 500 });
    const ask: N = { id: 'ask', type: 'llm', data: { model: 'gpt-test', messages: [{ role: 'user', content: 'What is Weft?' }], stream: true }, retry: { maxAttempts: 1, initialInterval: '100ms' } };
    const wf = await publish(acme, graph([start, ask, end({ text: '{{ ask.text }}' })], [['start', 'ask'], ['ask', 'end']]), 'streaming');
    const page = await s.page();
    await signIn(page, operator, '/console/runs');
    const runId = await startRun(acme, wf);
    await page.goto(`/console/runs/${runId}`);
    const live = page.locator('.node-panel .live-text[data-live-text="ask"] pre');
    // The first words arrive while the node is still running, then the whole answer.
    await live.filter({ hasText: 'Weft' }).waitFor({ timeout: 30_000 });
    expect((await live.textContent())!.length).toBeLessThan(answer.length);
    expect(await node(page, 'ask').getAttribute('data-state')).toBe('running');
    await live.filter({ hasText: answer }).waitFor({ timeout: 30_000 });
    await runStatus(page, 'succeeded').waitFor({ timeout: 30_000 });
    // Selecting the node shows its text in its panel; its execution in the timeline has it too.
    await node(page, 'ask').click();
    await page.getByRole('heading', { name: /ask/ }).waitFor();
    await expectText(page.locator('.node-panel .live-text pre'), answer);
    await page.locator('.timeline-entry[data-node-key="ask"] summary').click();
    await expectText(page.locator('.timeline-entry[data-node-key="ask"] .live-text pre'), answer);
  }, 60_000);
});

describe('the runs list', () => {
  it('filters by status in the URL and shows a new run without a reload', async () => {
    const quick = await publish(acme, steps('10ms'), 'quick-list');
    const slow = await publish(acme, longWait, 'slow-list');
    const done = await startRun(acme, quick);
    const page = await s.page();
    await signIn(page, operator, '/console/runs');
    await page.locator(`tr[data-run-id="${done}"]`).waitFor();
    await expectText(page.locator(`tr[data-run-id="${done}"]`), 'quick-list');
    await page.locator(`tr[data-run-id="${done}"] .status-succeeded`).waitFor({ timeout: 30_000 });

    await page.getByLabel('Status').selectOption('running');
    await page.waitForURL((u) => u.searchParams.get('status') === 'running');
    await page.locator(`tr[data-run-id="${done}"]`).waitFor({ state: 'detached' });
    await page.evaluate('window.__sameDocument = true');

    // A run started elsewhere appears by itself.
    const fresh = await startRun(acme, slow);
    await page.locator(`tr[data-run-id="${fresh}"]`).waitFor({ timeout: 20_000 });
    await expectText(page.locator(`tr[data-run-id="${fresh}"]`), 'slow-list');
    expect(await page.evaluate('window.__sameDocument')).toBe(true);

    // The filters live in the URL: a reload keeps them; the row opens the run.
    await page.reload();
    expect(await page.getByLabel('Status').inputValue()).toBe('running');
    await page.getByLabel('Workflow').selectOption(quick);
    await page.getByText('No runs match these filters').waitFor();
    await page.getByLabel('Workflow').selectOption(slow);
    await page.locator(`tr[data-run-id="${fresh}"] a`).click();
    await page.waitForURL(`**/console/runs/${fresh}`);
    await runStatus(page, 'running').waitFor();
    await acme.api('POST', `/v1/runs/${fresh}/cancel`);
  }, 60_000);

  it('is empty in a workspace with no runs, and another workspace’s runs never show', async () => {
    const other = await s.workspace('globex');
    const person = await other.person('viewer', 'gus');
    const page = await s.page({ width: 390, height: 800 });
    await signIn(page, person, '/console/runs');
    await page.getByText('No runs yet').waitFor();
    expect(await page.locator('tr[data-run-id]').count()).toBe(0);
  });

  it('left no page errors', () => {
    expect(s.consoleErrors).toEqual([]);
  });
});
