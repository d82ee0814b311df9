import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MilvusVectorStore, closeSharedDocumentParser, parseDocument, splitDocument } from '@weft/activities';
import { samplePdf, sampleDocx } from '../support/document-samples';
import { httpClient, resetDatabase, startHarness, type ApiClient, type Harness } from '../support/harness';
import { openStream, type SseEvent } from '../support/sse-client';
import { testEnv } from '../support/test-env';

// Uploads through the API, indexed by the real worker (ingestion task queue, parsers, Milvus Lite):
// the batch of 50 documents with 2 corrupt ones, fixing and retrying them, re-uploads,
// deletes with their vectors counted in Milvus, progress and events, and `npm run ingest`.
let h: Harness;
let api: ApiClient;
let key: string;
let tenantId: string;
const store = new MilvusVectorStore({ address: testEnv.milvusAddress });

beforeAll(async () => {
  h = await startHarness('knowledge-ingestion');
  await resetDatabase(h.prisma);
  await h.startWorker(undefined, { ingestion: { vectors: store, parse: parseDocument, split: splitDocument } });
  key = await h.key('acme');
  api = httpClient(h.url, key);
});

afterAll(async () => {
  await h.close();
  await store.close();
  await closeSharedDocumentParser();
});

async function postForm(path: string, form: FormData, method = 'POST') {
  const res = await fetch(`${h.url}${path}`, { method, headers: { authorization: `Bearer ${key}` }, body: form });
  return { status: res.status, headers: res.headers, body: (await res.json()) as any };
}

/** The job's events from the start until its stream ends (after the current attempt's job.finished). */
async function jobEvents(jobId: string): Promise<SseEvent[]> {
  const stream = await openStream(h.url, `/v1/ingestion-jobs/${jobId}/events`, key);
  expect(stream.status).toBe(200);
  const events = await stream.collect(undefined, { timeoutMs: 240_000 });
  await stream.ended;
  return events;
}

/** Words no other document has, so each document is its own (distinct bytes) and findable. */
const words = (i: number) => `document number ${i} talks about topic${i} and subject${i * 7} at length`;

/** The batch's files, made once: pdf-lib and JSZip stamp the time, so a remade file has other bytes. */
let batchFiles: [string, Uint8Array | string][] | undefined;

async function mixedBatch(withCorrupt = true): Promise<{ form: FormData; names: string[] }> {
  if (!batchFiles) {
    batchFiles = [];
    for (let i = 0; i < 48; i++) {
      const text = words(i);
      switch (i % 7) {
        case 0: batchFiles.push([`doc${i}.txt`, `${text}\n\nA second paragraph for ${i}.`]); break;
        case 1: batchFiles.push([`doc${i}.md`, `# Heading ${i}\n\n${text}\n\n## More\n\nDetails of ${i}.`]); break;
        case 2: batchFiles.push([`doc${i}.html`, `<html><body><h1>Page ${i}</h1><p>${text}</p><script>ignored()</script></body></html>`]); break;
        case 3: batchFiles.push([`doc${i}.json`, JSON.stringify({ id: i, text, tags: [`tag${i}`] })]); break;
        case 4: batchFiles.push([`doc${i}.csv`, `id,text\n${i},"${text}"\n`]); break;
        case 5: batchFiles.push([`doc${i}.pdf`, await samplePdf([text, `page two of ${i}`])]); break;
        default: batchFiles.push([`doc${i}.docx`, await sampleDocx([{ text: `Title ${i}`, heading: 1 }, { text }])]); break;
      }
    }
  }
  const files = [...batchFiles];
  if (withCorrupt) {
    files.push(['corrupt.pdf', '%PDF-1.7\nthis is not a PDF body at all\n%%EOF']);
    files.push(['corrupt.docx', 'PK\u0003\u0004 truncated zip that no Word document is made of']);
  }
  const form = new FormData();
  for (const [name, bytes] of files) form.append('files', new Blob([bytes]), name);
  return { form, names: files.map(([name]) => name) };
}

describe('ingestion through the API', () => {
  let kb: string;
  let jobId: string;
  const ref = () => ({ tenantId, knowledgeId: kb, dimensions: null });

  it('indexes a batch of 50 mixed documents, 2 of them corrupt: completed-with-errors, 48 indexed, 2 clear errors', async () => {
    kb = (await api('POST', '/v1/knowledge', { name: 'batch', chunking: { strategy: 'paragraph', size: 400, overlap: 40 } })).body.data.id;
    tenantId = (await h.prisma.knowledge.findUniqueOrThrow({ where: { id: kb } })).tenantId;
    const { form, names } = await mixedBatch();
    const upload = await postForm(`/v1/knowledge/${kb}/documents`, form);
    expect(upload.status).toBe(202);
    jobId = upload.body.data.jobId;
    expect(upload.body.data.documents).toHaveLength(50);
    expect(upload.body.data.documents.map((d: any) => d.name).sort()).toEqual([...names].sort());

    const events = await jobEvents(jobId);
    const types = new Set(events.map((e) => e.event));
    expect([...types].sort()).toEqual(['document.status', 'job.finished', 'job.progress', 'job.started']);
    const finished = events.at(-1)!;
    expect(finished).toMatchObject({ event: 'job.finished', data: { status: 'completed-with-errors', total: 50, succeeded: 48, failed: 2, progress: 100, attempt: 1 } });
    const progress = events.filter((e) => e.event === 'job.progress').map((e) => e.data.progress as number);
    expect(progress.length).toBeGreaterThan(1);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));

    const job = await api('GET', `/v1/ingestion-jobs/${jobId}`);
    expect(job.body.data).toMatchObject({ status: 'completed-with-errors', total: 50, succeeded: 48, failed: 2, progress: 100, attempt: 1, finishedAt: expect.any(String) });
    const failed = job.body.data.documents.filter((d: any) => d.status === 'error');
    expect(failed.map((d: any) => [d.name, d.error.code])).toEqual([
      ['corrupt.docx', 'document_unreadable'],
      ['corrupt.pdf', 'document_unreadable'],
    ]);
    for (const d of failed) expect(d.error.message).toMatch(/^'corrupt\.(pdf|docx)' could not be read/);
    expect(job.body.data.documents.filter((d: any) => d.status === 'completed')).toHaveLength(48);

    // Every indexed segment is one vector in Milvus, no more; the corrupt documents have none.
    const docs = await h.prisma.knowledgeDocument.findMany({ where: { knowledgeId: kb } });
    const segments = docs.reduce((n, d) => n + d.segmentCount, 0);
    expect(segments).toBeGreaterThanOrEqual(48);
    expect(await store.count(ref())).toBe(segments);
    for (const d of failed) expect(await store.count(ref(), d.id)).toBe(0);
    expect((await api('GET', `/v1/knowledge/${kb}`)).body.data.documents).toEqual({ total: 50, completed: 48, error: 2, inProgress: 0 });
    expect((await api('GET', `/v1/knowledge/${kb}/documents?status=error`)).body.data.map((d: any) => d.name).sort()).toEqual(['corrupt.docx', 'corrupt.pdf']);
  });

  it('retries only the failed documents once they are fixed (PUT), as attempt 2 of the job', async () => {
    const failed = (await api('GET', `/v1/knowledge/${kb}/documents?status=error`)).body.data as any[];
    const pdf = failed.find((d) => d.name === 'corrupt.pdf');
    const docx = failed.find((d) => d.name === 'corrupt.docx');
    // Fixing: the same document gets good bytes (a file, or text under a new name).
    const fixedPdf = new FormData();
    fixedPdf.append('file', new Blob([await samplePdf(['the repaired pdf speaks of zebras'])]), 'corrupt.pdf');
    const put = await postForm(`/v1/knowledge/${kb}/documents/${pdf.id}`, fixedPdf, 'PUT');
    expect(put.status).toBe(200);
    expect(put.body.data).toMatchObject({ id: pdf.id, name: 'corrupt.pdf', format: 'pdf', status: 'error' });
    expect(put.body.data.checksum).not.toBe(pdf.checksum);
    const putText = await api('PUT', `/v1/knowledge/${kb}/documents/${docx.id}`, { name: 'repaired.md', text: '# Repaired\n\nNow about giraffes.' });
    expect(putText.body.data).toMatchObject({ id: docx.id, name: 'repaired.md', format: 'md', source: 'text', status: 'error' });
    // An indexed document is not replaced: delete it and upload the new version.
    const done = (await api('GET', `/v1/knowledge/${kb}/documents?status=completed&limit=1`)).body.data[0];
    expect(await api('PUT', `/v1/knowledge/${kb}/documents/${done.id}`, { name: 'new.txt', text: 'x' })).toMatchObject({ status: 409, body: { code: 'document_state_conflict' } });

    const retry = await api('POST', `/v1/ingestion-jobs/${jobId}/retry`);
    expect(retry).toMatchObject({ status: 202, body: { data: { id: jobId, status: 'queued', attempt: 2, total: 50, succeeded: 48, failed: 0 } } });
    // Attempt 1's events are replayed, then attempt 2's; the stream ends at attempt 2's job.finished.
    const events = await jobEvents(jobId);
    const finishes = events.filter((e) => e.event === 'job.finished');
    expect(finishes.map((e) => [e.data.attempt, e.data.status])).toEqual([
      [1, 'completed-with-errors'],
      [2, 'completed'],
    ]);
    const second = events.slice(events.indexOf(finishes[0]!) + 1);
    expect(new Set(second.filter((e) => e.event === 'document.status').map((e) => e.data.documentId))).toEqual(new Set([pdf.id, docx.id]));

    const job = (await api('GET', `/v1/ingestion-jobs/${jobId}`)).body.data;
    expect(job).toMatchObject({ status: 'completed', attempt: 2, total: 50, succeeded: 50, failed: 0, progress: 100 });
    expect(await store.count(ref(), pdf.id)).toBeGreaterThan(0);
    const docs = await h.prisma.knowledgeDocument.findMany({ where: { knowledgeId: kb } });
    expect(await store.count(ref())).toBe(docs.reduce((n, d) => n + d.segmentCount, 0));
    expect(await api('POST', `/v1/ingestion-jobs/${jobId}/retry`)).toMatchObject({ status: 409, body: { code: 'ingestion_job_state_conflict' } });
    expect(await api('POST', `/v1/ingestion-jobs/${jobId}/cancel`)).toMatchObject({ status: 409, body: { code: 'ingestion_job_state_conflict', details: { status: 'completed' } } });
  });

  it('treats a re-upload of the same bytes as a no-op', async () => {
    const vectors = await store.count(ref());
    const { form } = await mixedBatch(false);
    const again = await postForm(`/v1/knowledge/${kb}/documents`, form);
    expect(again.status).toBe(200);
    expect(again.body.data.jobId).toBeNull();
    expect(again.body.data.documents).toEqual([]);
    expect(again.body.data.skipped).toHaveLength(48);
    expect(again.body.data.skipped.every((s: any) => s.status === 'completed' && s.reason === 'duplicate')).toBe(true);
    expect(await store.count(ref())).toBe(vectors);
  });

  it('deletes a document: gone from the list and its vectors gone from Milvus', async () => {
    const docs = (await api('GET', `/v1/knowledge/${kb}/documents?status=completed&limit=100`)).body.data as any[];
    const victim = docs.find((d) => /^doc\d+\.pdf$/.test(d.name))!;
    const before = await store.count(ref());
    const own = await store.count(ref(), victim.id);
    expect(own).toBe(victim.segmentCount);
    // Its own words find it through the retrieve route before the delete, and nothing of it after.
    const query = { query: `topic${victim.name.match(/\d+/)![0]}`, topK: 5 };
    expect((await api('POST', `/v1/knowledge/${kb}/retrieve`, query)).body.data.results[0]).toMatchObject({ documentId: victim.id });
    expect((await api('DELETE', `/v1/knowledge/${kb}/documents/${victim.id}`)).status).toBe(200);
    expect((await api('POST', `/v1/knowledge/${kb}/retrieve`, query)).body.data.results.map((r: any) => r.documentId)).not.toContain(victim.id);
    expect(await store.count(ref(), victim.id)).toBe(0);
    expect(await store.count(ref())).toBe(before - own);
    const after = (await api('GET', `/v1/knowledge/${kb}/documents?limit=100`)).body.data as any[];
    expect(after.map((d) => d.id)).not.toContain(victim.id);
    expect(await h.prisma.knowledgeSegment.count({ where: { documentId: victim.id } })).toBe(0);
    expect((await api('GET', `/v1/ingestion-jobs/${jobId}`)).body.data.total).toBe(49);
  });

  it('answers 404 to another tenant for this knowledge, its documents and its job', async () => {
    const otherKey = await h.key('globex');
    const other = httpClient(h.url, otherKey);
    const docId = (await h.prisma.knowledgeDocument.findFirstOrThrow({ where: { knowledgeId: kb } })).id;
    for (const [method, path] of [
      ['GET', `/v1/knowledge/${kb}`],
      ['GET', `/v1/knowledge/${kb}/documents/${docId}`],
      ['DELETE', `/v1/knowledge/${kb}/documents/${docId}`],
      ['GET', `/v1/ingestion-jobs/${jobId}`],
      ['POST', `/v1/ingestion-jobs/${jobId}/retry`],
    ] as const) {
      expect([method, path, (await other(method, path)).status]).toEqual([method, path, 404]);
    }
    expect((await openStream(h.url, `/v1/ingestion-jobs/${jobId}/events`, otherKey)).status).toBe(404);
  });

  it('deletes the knowledge with all its vectors', async () => {
    expect((await api('DELETE', `/v1/knowledge/${kb}`)).status).toBe(200);
    expect(await store.count(ref())).toBe(0);
    expect((await api('GET', `/v1/ingestion-jobs/${jobId}`)).status).toBe(404);
  });
});

describe('npm run ingest', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'weft-ingest-'));
    await mkdir(join(dir, 'guides'));
    await writeFile(join(dir, 'faq.md'), '# FAQ\n\nReturns are accepted within 30 days.');
    await writeFile(join(dir, 'guides', 'setup.txt'), 'Plug it in and press the button.');
    await writeFile(join(dir, 'guides', 'manual.pdf'), await samplePdf(['The manual of the device.']));
    await writeFile(join(dir, 'guides', 'broken.docx'), 'not a zip at all');
    await writeFile(join(dir, 'guides', 'image.png'), 'not a format we read');
    await writeFile(join(dir, '.hidden.txt'), 'left out');
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const run = (args: string[], env: Record<string, string> = {}) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, ['apps/api/dist/cli/ingest.cli.js', ...args], {
        env: { PATH: process.env.PATH ?? '', WEFT_API_URL: h.url, WEFT_API_KEY: key, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });

  it('uploads a folder, follows the job and prints the table; exit 1 when a document failed', async () => {
    const first = await run(['docs', dir, '--create']);
    expect(first.code).toBe(1);
    const table = first.stdout.trim().split('\n');
    expect(table[0]).toMatch(/^DOCUMENT\s+STATUS\s+DETAIL$/);
    const rows = Object.fromEntries(table.slice(1).map((l) => [l.split(/\s+/)[0], l]));
    expect(Object.keys(rows).sort()).toEqual(['broken.docx', 'faq.md', 'manual.pdf', 'setup.txt']);
    expect(rows['faq.md']).toMatch(/^faq\.md\s+completed$/);
    expect(rows['manual.pdf']).toMatch(/\scompleted$/);
    expect(rows['broken.docx']).toMatch(/\serror\s+document_unreadable: 'broken\.docx' could not be read/);
    // Not a terminal: plain lines, one per ended document and per percent step.
    expect(first.stderr).toContain('left out');
    expect(first.stderr).toContain('image.png');
    expect(first.stderr).toMatch(/^progress 100% \(4\/4: indexed 3, failed 1\)$/m);
    expect(first.stderr).toMatch(/^failed broken\.docx: document_unreadable/m);
    expect(first.stderr).toMatch(/^completed faq\.md$/m);
    const kb = (await api('GET', '/v1/knowledge?name=docs')).body.data[0];
    expect(kb.documents).toEqual({ total: 4, completed: 3, error: 1, inProgress: 0 });
    const jobs = (await api('GET', `/v1/ingestion-jobs?knowledgeId=${kb.id}`)).body.data;
    expect(jobs).toHaveLength(1);
    expect((await h.prisma.knowledgeDocument.findMany({ where: { knowledgeId: kb.id } })).every((d) => d.source === 'cli')).toBe(true);
  });

  it('the same folder again changes nothing; a file by the knowledge id is indexed; bad usage is exit 2', async () => {
    const kb = (await api('GET', '/v1/knowledge?name=docs')).body.data[0];
    const again = await run(['docs', join(dir, 'faq.md'), join(dir, 'guides', 'setup.txt')]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^faq\.md\s+unchanged\s+already there as doc_\w+ \(completed\)$/m);
    expect(again.stderr).toContain('nothing new to index');
    await writeFile(join(dir, 'new.txt'), 'A brand new note.');
    const byId = await run([kb.id, join(dir, 'new.txt')]);
    expect([byId.code, byId.stdout.trim().split('\n')[1]]).toEqual([0, expect.stringMatching(/^new\.txt\s+completed$/)]);
    expect((await run(['nope', dir])).code).toBe(2);
    expect((await run(['docs'])).code).toBe(2);
    expect(await run(['docs', dir], { WEFT_API_KEY: '' })).toMatchObject({ code: 2, stderr: expect.stringContaining('WEFT_API_KEY') });
    expect(await run(['docs', dir], { WEFT_API_KEY: 'sk-wrongwrongwrongwrong' })).toMatchObject({ code: 1, stderr: expect.stringContaining('unauthorized') });
  });
});
