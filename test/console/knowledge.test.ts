import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { MilvusVectorStore, closeSharedDocumentParser, parseDocument, splitDocument } from '@weft/activities';
import { screenshot, signIn, startConsoleSuite, type ConsoleSuite, type TestWorkspace } from '../support/browser';
import { testEnv } from '../support/test-env';

// The console's knowledge section in a real Chromium against the real API and the real ingestion
// worker (parsers, Milvus): a knowledge base made through the form, files uploaded through the file
// input with a progress bar, the job followed live to its end, retrieval, and what a viewer may not do.
let s: ConsoleSuite & { consoleErrors: string[] };
let acme: TestWorkspace;
let dir: string;
const store = new MilvusVectorStore({ address: testEnv.milvusAddress });

beforeAll(async () => {
  // No worker yet: the first upload's job waits queued until the test starts one, so the job page
  // is seen following it live from the start.
  s = await startConsoleSuite('console-knowledge', {}, { worker: false });
  acme = await s.workspace('acme');
  dir = await mkdtemp(join(tmpdir(), 'weft-console-knowledge-'));
  await writeFile(join(dir, 'returns.md'), '# Returns\n\nZebra-striped parcels are returned within 30 days, no questions asked.\n');
  await writeFile(join(dir, 'shipping.txt'), 'Shipping takes five working days to the mainland and ten to the islands.\n');
  await writeFile(join(dir, 'tool.exe'), 'MZ not a document');
  await writeFile(join(dir, 'faq.md'), '# FAQ\n\nThe office opens at nine and closes at five.\n');
  await writeFile(join(dir, 'hours.txt'), 'Support answers on weekdays, from eight to six.\n');
  await writeFile(join(dir, 'corrupt.pdf'), '%PDF-1.7\nthis is not a PDF body at all\n%%EOF');
});

afterAll(async () => {
  await s?.close();
  await store.close();
  await closeSharedDocumentParser();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function expectText(locator: Locator, text: string) {
  await locator.filter({ hasText: text }).first().waitFor();
}

const jobRow = (page: Page, name: string) => page.getByRole('table', { name: 'Job documents' }).locator(`tr[data-document="${name}"]`);

/** The job page once the job has ended: the counts, each document's status, the error of the unreadable one. */
async function checkFinished(page: Page) {
  expect(await page.evaluate('window.__sameDocument')).toBe(true);
  expect(await page.locator('[data-count="total"]').textContent()).toBe('3');
  expect(await page.locator('[data-count="succeeded"]').textContent()).toBe('2');
  expect(await page.locator('[data-count="failed"]').textContent()).toBe('1');
  expect(await page.getByRole('progressbar', { name: 'Indexing progress' }).getAttribute('value')).toBe('100');
  for (const name of ['returns.md', 'shipping.txt']) expect(await jobRow(page, name).locator('.badge').textContent()).toBe('completed');
  expect(await jobRow(page, 'corrupt.pdf').locator('.badge').textContent()).toBe('error');
  expect(await jobRow(page, 'corrupt.pdf').locator('code').textContent()).toBe('document_unreadable');
  await expectText(jobRow(page, 'corrupt.pdf'), "'corrupt.pdf' could not be read");
  await page.getByRole('button', { name: 'Retry failed documents' }).waitFor();
  expect(await page.getByRole('button', { name: 'Cancel job' }).count()).toBe(0);
}

describe('the knowledge section', () => {
  let knowledgeUrl: string;
  let jobUrl: string;

  it('lets a developer create a knowledge base (a refused form shows its issues), upload files with a progress bar, follow the job live to its end and retry its failed document', async () => {
    const dev = await acme.person('developer', 'dana');
    const page = await s.page();
    await signIn(page, dev, '/console/knowledge');
    await expectText(page.locator('.state.empty'), 'No knowledge base yet');

    await page.getByRole('button', { name: 'New knowledge base' }).click();
    const form = page.getByRole('form', { name: 'New knowledge base' });
    await form.getByLabel('Name').fill('Handbook');
    await form.getByLabel('Chunk size (characters)').fill('100');
    await form.getByLabel('Overlap (characters)').fill('100');
    await form.getByRole('button', { name: 'Create' }).click();
    // The API's 422 with the field it is about, in plain words.
    await expectText(form.getByRole('alert'), 'overlap must be smaller than size');

    await form.getByLabel('Chunk size (characters)').fill('400');
    await form.getByLabel('Overlap (characters)').fill('40');
    await form.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('heading', { name: 'Handbook' }).waitFor();
    knowledgeUrl = page.url();
    await expectText(page.locator('.state.empty'), 'No document yet');

    // Every value the upload's progress bar shows, recorded as it renders (the upload is quick).
    await page.evaluate(`(() => {
      const seen = [];
      window.__uploadProgress = seen;
      new MutationObserver(() => {
        const bar = document.querySelector('progress[aria-label="Upload progress"]');
        if (bar) seen.push(bar.getAttribute('value') ?? '');
      }).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['value'] });
      window.__sameDocument = true;
    })()`);
    await page.getByLabel(/^Files/).setInputFiles(['returns.md', 'shipping.txt', 'corrupt.pdf'].map((f) => join(dir, f)));
    await page.getByRole('button', { name: 'Upload 3 files' }).click();

    // The job page, with the job still queued: no worker runs yet.
    await page.waitForURL(/\/console\/knowledge\/jobs\/[^/]+$/);
    jobUrl = page.url();
    await page.getByRole('heading', { name: 'Ingestion job' }).waitFor();
    const progress = (await page.evaluate('window.__uploadProgress')) as string[];
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.at(-1)).toBe('100');
    await expectText(page.locator('.badge'), 'queued');
    await expectText(page.locator('main'), 'Live');
    expect(await jobRow(page, 'returns.md').locator('.badge').textContent()).toBe('queued');
    await page.getByRole('button', { name: 'Cancel job' }).waitFor();

    // The worker starts: the page follows the job's events to its end without a reload.
    const worker = await s.h.startWorker(undefined, { ingestion: { vectors: store, parse: parseDocument, split: splitDocument } });
    try {
      await page.locator('main .row .badge', { hasText: 'completed-with-errors' }).waitFor({ timeout: 120_000 });
      await checkFinished(page);
      await screenshot(page, 'ingestion-job');

      // Retry: attempt 2 takes the failed document again (still unreadable) and is followed live too.
      await page.getByRole('button', { name: 'Retry failed documents' }).click();
      await expectText(page.locator('main'), 'attempt 2');
      await page.locator('main .row .badge', { hasText: 'completed-with-errors' }).waitFor({ timeout: 120_000 });
      await checkFinished(page);
    } finally {
      await worker.stop();
    }
    expect(s.consoleErrors).toEqual([]);
  });
  it('lists the documents with their status and error, searches them in the playground, and deletes one after a confirmation', async () => {
    const dev = await acme.person('developer', 'dana-2');
    const page = await s.page();
    await signIn(page, dev, new URL(knowledgeUrl).pathname);
    const docs = page.getByRole('table', { name: 'Documents' });
    await expectText(docs.locator('tr[data-document="returns.md"] .badge'), 'completed');
    await expectText(docs.locator('tr[data-document="corrupt.pdf"]'), 'document_unreadable');
    await expectText(page.getByRole('table', { name: 'Ingestion jobs' }), 'completed-with-errors');

    // A file the API refuses: the upload's 422 with the file it is about, nothing stored.
    const upload = page.getByRole('form', { name: 'Upload documents' });
    await upload.getByLabel(/^Files/).setInputFiles(join(dir, 'tool.exe'));
    await upload.getByRole('button', { name: 'Upload' }).click();
    await expectText(upload.getByRole('alert'), 'The upload failed');
    await upload.locator('.kb-issues li').first().waitFor();
    await screenshot(page, 'knowledge-upload-refused');
    expect(await docs.locator('tbody tr').count()).toBe(3);

    const playground = page.getByRole('form', { name: 'Retrieval playground' });
    // Economy indexing answers full-text: the only mode offered.
    expect(await playground.getByLabel('Mode').locator('option').allTextContents()).toEqual(['full-text']);
    await playground.getByLabel('Query').fill('zebra parcels returned');
    await playground.getByRole('button', { name: 'Search' }).click();
    const first = playground.locator('.kb-result').first();
    await expectText(first, 'Zebra-striped parcels are returned within 30 days');
    await expectText(first, 'returns.md');
    await expectText(first, 'score');
    await screenshot(page, 'knowledge-base');

    page.once('dialog', (d) => void d.accept());
    await docs.getByRole('button', { name: 'Delete corrupt.pdf' }).click();
    await docs.locator('tr[data-document="corrupt.pdf"]').waitFor({ state: 'detached' });
    expect(await docs.locator('tbody tr').count()).toBe(2);
  });

  it('follows an upload of readable files to a job that is completed, every document indexed', async () => {
    const dev = await acme.person('developer', 'dana-3');
    const page = await s.page();
    await signIn(page, dev, new URL(knowledgeUrl).pathname);
    const worker = await s.h.startWorker(undefined, { ingestion: { vectors: store, parse: parseDocument, split: splitDocument } });
    try {
      await page.getByLabel(/^Files/).setInputFiles(['faq.md', 'hours.txt'].map((f) => join(dir, f)));
      await page.getByRole('button', { name: 'Upload 2 files' }).click();
      await page.waitForURL(/\/console\/knowledge\/jobs\/[^/]+$/);
      await page.locator('main .row .badge').filter({ hasText: /^completed$/ }).waitFor({ timeout: 120_000 });
      expect(await page.locator('[data-count="total"]').textContent()).toBe('2');
      expect(await page.locator('[data-count="succeeded"]').textContent()).toBe('2');
      expect(await page.locator('[data-count="failed"]').textContent()).toBe('0');
      for (const name of ['faq.md', 'hours.txt']) expect(await jobRow(page, name).locator('.badge').textContent()).toBe('completed');
      expect(await page.getByRole('button', { name: 'Retry failed documents' }).count()).toBe(0);
    } finally {
      await worker.stop();
    }
  });

  it('shows a viewer the knowledge, its documents and jobs without any control to change them, also 390 px wide', async () => {
    const viewer = await acme.person('viewer', 'vic');
    const page = await s.page({ width: 390, height: 844 });
    await signIn(page, viewer, '/console/knowledge');
    await page.getByRole('link', { name: 'Handbook' }).waitFor();
    expect(await page.getByRole('button', { name: 'New knowledge base' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: /Delete/ }).count()).toBe(0);

    await page.getByRole('link', { name: 'Handbook' }).click();
    await page.getByRole('heading', { name: 'Handbook' }).waitFor();
    await expectText(page.getByRole('table', { name: 'Documents' }).locator('tr[data-document="returns.md"]'), 'completed');
    expect(await page.getByRole('form', { name: 'Upload documents' }).count()).toBe(0);
    expect(await page.getByRole('form', { name: 'Retrieval playground' }).count()).toBe(0);
    expect(await page.locator('input[type="file"]').count()).toBe(0);
    expect(await page.getByRole('button', { name: /Delete/ }).count()).toBe(0);

    await page.goto(new URL(jobUrl).pathname);
    await jobRow(page, 'returns.md').waitFor();
    expect(await page.getByRole('button', { name: 'Retry failed documents' }).count()).toBe(0);
    // Nothing pushes the page sideways at phone width (wide tables scroll inside their frame).
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);

    await page.goto('/console/knowledge/jobs');
    const jobs = page.getByRole('table', { name: 'Ingestion jobs' });
    await expectText(jobs, 'completed-with-errors');
    await jobs.getByRole('link', { name: 'Handbook' }).first().waitFor();
    expect(s.consoleErrors).toEqual([]);
  });
});
