import { KNOWLEDGE_LIMITS, ingestionWorkflowIdFor } from '@weft/domain';
import { vectorStoreOf } from '../../apps/api/src/app';
import { httpClient, resetDatabase, startHarness, type ApiClient, type Harness } from '../support/harness';
import { openStream } from '../support/sse-client';

// The knowledge, document and ingestion-job routes over HTTP with no worker: what the API decides
// by itself (validation, uploads and their limits, deduplication, the job it starts, tenancy,
// roles). Indexing by the worker is in knowledge-ingestion.test.ts.
let h: Harness;
let api: ApiClient;
let other: ApiClient;
let viewer: ApiClient;
let key: string;
let otherKey: string;

beforeAll(async () => {
  h = await startHarness('knowledge');
  await resetDatabase(h.prisma);
  key = await h.key('acme');
  api = httpClient(h.url, key);
  otherKey = await h.key('globex');
  other = httpClient(h.url, otherKey);
  viewer = httpClient(h.url, await h.key('acme', 'viewer'));
});

afterAll(async () => {
  await h.close();
});

/** POSTs a multipart form (fetch sets the boundary). */
async function postForm(path: string, form: FormData, as = key) {
  const res = await fetch(`${h.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${as}` }, body: form });
  return { status: res.status, headers: res.headers, body: (await res.json()) as any };
}

function filesForm(files: Record<string, string | Uint8Array>, fields: Record<string, string> = {}): FormData {
  const form = new FormData();
  for (const [name, content] of Object.entries(files)) form.append('files', new Blob([content]), name);
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  return form;
}

async function createKnowledge(name: string, body: Record<string, unknown> = {}): Promise<string> {
  const r = await api('POST', '/v1/knowledge', { name, ...body });
  if (r.status !== 201) throw new Error(JSON.stringify(r.body));
  return r.body.data.id as string;
}

describe('knowledge bases', () => {
  it('creates an economy knowledge with the default chunking, and refuses a second of the same name', async () => {
    const r = await api('POST', '/v1/knowledge', { name: 'handbook', description: 'the staff handbook' });
    expect(r.status).toBe(201);
    expect(r.body.data).toEqual({
      id: expect.stringMatching(/^kb_/),
      name: 'handbook',
      description: 'the staff handbook',
      indexing: 'economy',
      embedding: null,
      chunking: { strategy: 'fixed', size: 1000, overlap: 100 },
      documents: { total: 0, completed: 0, error: 0, inProgress: 0 },
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    expect(await api('POST', '/v1/knowledge', { name: 'handbook' })).toMatchObject({ status: 409, body: { code: 'knowledge_name_taken' } });
    // Another tenant may use the name.
    expect((await other('POST', '/v1/knowledge', { name: 'handbook' })).status).toBe(201);
  });

  it('creates a high-quality knowledge only over a model provider of the workspace', async () => {
    const hq = { indexing: 'high-quality', embedding: { model: 'text-embedding-3-small', dimensions: 64 }, chunking: { strategy: 'paragraph', size: 500, overlap: 50 } };
    const none = await api('POST', '/v1/knowledge', { name: 'hq', ...hq });
    expect(none).toMatchObject({ status: 422, body: { code: 'embedding_provider_not_found', details: { issues: [{ code: 'embedding_provider_not_found', path: ['embedding', 'provider'] }] } } });
    expect((await api('POST', '/v1/model-providers', { name: 'local', type: 'openai', baseUrl: 'http://127.0.0.1:9/v1', apiKey: 'sk-test' })).status).toBe(201);
    const named = await api('POST', '/v1/knowledge', { name: 'hq-named', ...hq, embedding: { ...hq.embedding, provider: 'nope' } });
    expect(named).toMatchObject({ status: 422, body: { code: 'embedding_provider_not_found', message: expect.stringContaining("'nope'") } });
    const created = await api('POST', '/v1/knowledge', { name: 'hq', ...hq });
    expect(created.status).toBe(201);
    // The provider is resolved when the knowledge is made, so it never changes under its vectors.
    expect(created.body.data).toMatchObject({ indexing: 'high-quality', embedding: { provider: 'local', model: 'text-embedding-3-small', dimensions: 64 }, chunking: hq.chunking });
    // Another tenant cannot name this tenant's provider.
    expect((await other('POST', '/v1/knowledge', { name: 'hq', ...hq, embedding: { ...hq.embedding, provider: 'local' } })).status).toBe(422);
  });

  it('refuses settings that do not fit (400 with every issue)', async () => {
    for (const bad of [
      { name: '' },
      { name: 'x', indexing: 'high-quality' },
      { name: 'x', embedding: { model: 'm' } },
      { name: 'x', chunking: { strategy: 'fixed', size: 100, overlap: 100 } },
      { name: 'x', chunking: { strategy: 'sentences' } },
      { name: 'x', extra: true },
    ]) {
      const r = await api('POST', '/v1/knowledge', bad);
      expect([JSON.stringify(bad), r.status, r.body.code]).toEqual([JSON.stringify(bad), 400, 'malformed_request']);
      expect(r.body.details.issues.length).toBeGreaterThan(0);
    }
  });

  it('lists the tenant’s knowledge with pagination and finds one by name; a viewer reads but does not write', async () => {
    const all = await api('GET', '/v1/knowledge?limit=1&sort=created_at');
    expect(all.status).toBe(200);
    expect(all.body.pagination).toMatchObject({ page: 1, limit: 1, total: 2, has_next: true });
    expect(all.body.data[0].name).toBe('handbook');
    const byName = await viewer('GET', '/v1/knowledge?name=hq');
    expect(byName.body.data.map((k: any) => k.name)).toEqual(['hq']);
    expect((await other('GET', '/v1/knowledge')).body.pagination.total).toBe(1);
    expect(await viewer('POST', '/v1/knowledge', { name: 'mine' })).toMatchObject({ status: 403, body: { code: 'forbidden' } });
    const id = all.body.data[0].id;
    expect((await viewer('GET', `/v1/knowledge/${id}`)).status).toBe(200);
    expect(await viewer('POST', `/v1/knowledge/${id}/documents`, { documents: [{ name: 'a.txt', text: 'a' }] })).toMatchObject({ status: 403 });
    expect(await viewer('DELETE', `/v1/knowledge/${id}`)).toMatchObject({ status: 403 });
  });
});

describe('uploads', () => {
  let kb: string;
  beforeAll(async () => {
    kb = await createKnowledge('uploads');
  });

  it('stores JSON text documents, starts their job on the ingestion task queue and answers 202 with it', async () => {
    const r = await api('POST', `/v1/knowledge/${kb}/documents`, {
      documents: [
        { name: 'returns.md', text: '# Returns\nWithin 30 days.' },
        { name: 'hours', text: 'Open 9 to 5.' },
        { name: 'prices.csv', text: 'item,price\ntea,3' },
      ],
    });
    expect(r.status).toBe(202);
    const { jobId, documents, skipped } = r.body.data;
    expect(r.headers.get('location')).toBe(`/v1/ingestion-jobs/${jobId}`);
    expect(documents.map((d: any) => [d.name, d.status])).toEqual([
      ['returns.md', 'queued'],
      ['hours', 'queued'],
      ['prices.csv', 'queued'],
    ]);
    expect(skipped).toEqual([]);
    // The job's workflow was started as attempt 1, with the documents and the configured concurrency.
    const handle = h.temporal.workflow.getHandle(ingestionWorkflowIdFor(jobId, 1));
    const described = await handle.describe();
    expect([described.type, described.taskQueue]).toEqual(['ingestionJobWorkflow', h.ingestionTaskQueue]);
    const job = await api('GET', `/v1/ingestion-jobs/${jobId}`);
    expect(job.body.data).toEqual({
      id: jobId,
      knowledgeId: kb,
      status: 'queued',
      attempt: 1,
      total: 3,
      succeeded: 0,
      failed: 0,
      progress: 0,
      createdAt: expect.any(String),
      startedAt: null,
      finishedAt: null,
      documents: [documents[1], documents[2], documents[0]].map((d: any) => ({ ...d, error: null })),
      documentsPage: { page: 1, limit: KNOWLEDGE_LIMITS.maxDocumentsPerUpload, total: 3, total_pages: 1, has_next: false, has_prev: false },
    });
    const page2 = await api('GET', `/v1/ingestion-jobs/${jobId}?limit=2&page=2`);
    expect(page2.body.data.documents.map((d: any) => d.name)).toEqual(['returns.md']);
    const doc = await api('GET', `/v1/knowledge/${kb}/documents/${documents[1].id}`);
    expect(doc.body.data).toMatchObject({ name: 'hours', format: 'txt', source: 'text', size: 12, status: 'queued', jobId, error: null, segmentCount: 0 });
    expect(doc.body.data.checksum).toMatch(/^[0-9a-f]{64}$/);
    expect((await api('GET', `/v1/knowledge/${kb}`)).body.data.documents).toEqual({ total: 3, completed: 0, error: 0, inProgress: 3 });
  });

  it('treats the same bytes again as a no-op: skipped with the existing document, nothing re-indexed', async () => {
    const before = await h.prisma.ingestionJob.count({ where: { knowledgeId: kb } });
    const again = await api('POST', `/v1/knowledge/${kb}/documents`, { documents: [{ name: 'returns-copy.md', text: '# Returns\nWithin 30 days.' }] });
    expect(again.status).toBe(200);
    const existing = await h.prisma.knowledgeDocument.findFirstOrThrow({ where: { knowledgeId: kb, name: 'returns.md' } });
    expect(again.body.data).toEqual({ jobId: null, documents: [], skipped: [{ name: 'returns-copy.md', documentId: existing.id, status: 'queued', reason: 'duplicate' }] });
    expect(await h.prisma.ingestionJob.count({ where: { knowledgeId: kb } })).toBe(before);
    // Mixed: the new one is stored, the known one and a repeat inside the upload are skipped.
    const mixed = await postForm(`/v1/knowledge/${kb}/documents`, filesForm({ 'new.txt': 'something new', 'old.md': '# Returns\nWithin 30 days.', 'new-again.txt': 'something new' }));
    expect(mixed.status).toBe(202);
    expect(mixed.body.data.documents.map((d: any) => d.name)).toEqual(['new.txt']);
    expect(mixed.body.data.skipped.map((s: any) => [s.name, s.documentId])).toEqual([
      ['old.md', existing.id],
      ['new-again.txt', mixed.body.data.documents[0].id],
    ]);
    expect(await h.prisma.knowledgeDocument.count({ where: { knowledgeId: kb } })).toBe(4);
  });

  it('takes multipart files of every format, records the source, and lists documents by status', async () => {
    const r = await postForm(
      `/v1/knowledge/${kb}/documents`,
      filesForm({ 'a.txt': 'alpha', 'b.markdown': '# b', 'c.HTML': '<p>c</p>', 'd.json': '{"d":1}', 'e.csv': 'e,1', 'f.pdf': '%PDF-1.4 not really', 'g.docx': 'PK not really', 'dir/h.htm': '<p>h</p>' }, { source: 'cli' }),
    );
    expect(r.status).toBe(202);
    const stored = await h.prisma.knowledgeDocument.findMany({ where: { jobId: r.body.data.jobId }, orderBy: { createdAt: 'asc' } });
    expect(stored.map((d) => [d.name, d.format, d.source])).toEqual(
      expect.arrayContaining([
        ['a.txt', 'txt', 'cli'],
        ['b.markdown', 'md', 'cli'],
        ['c.HTML', 'html', 'cli'],
        ['d.json', 'json', 'cli'],
        ['e.csv', 'csv', 'cli'],
        ['f.pdf', 'pdf', 'cli'],
        ['g.docx', 'docx', 'cli'],
        ['h.htm', 'html', 'cli'],
      ]),
    );
    expect(Buffer.from(stored.find((d) => d.name === 'a.txt')!.content).toString()).toBe('alpha');
    const queued = await api('GET', `/v1/knowledge/${kb}/documents?status=queued&limit=100`);
    expect(queued.body.pagination.total).toBe(12);
    expect((await api('GET', `/v1/knowledge/${kb}/documents?status=completed`)).body.pagination.total).toBe(0);
    expect((await api('GET', `/v1/knowledge/${kb}/documents?status=done`)).status).toBe(400);
  });

  it('refuses bad uploads with a code, storing nothing', async () => {
    const count = () => h.prisma.knowledgeDocument.count({ where: { knowledgeId: kb } });
    const before = await count();
    const unsupported = await postForm(`/v1/knowledge/${kb}/documents`, filesForm({ 'ok.txt': 'fine', 'tool.exe': 'MZ', 'empty.md': '' }));
    expect(unsupported.status).toBe(422);
    expect(unsupported.body).toMatchObject({ code: 'upload_invalid', details: { issues: [
      { code: 'document_unsupported', path: ['files', 1], message: expect.stringContaining('tool.exe') },
      { code: 'document_empty', path: ['files', 2] },
    ] } });
    const empty = await postForm(`/v1/knowledge/${kb}/documents`, new FormData());
    expect(empty).toMatchObject({ status: 422, body: { code: 'upload_invalid', details: { issues: [{ code: 'upload_empty' }] } } });
    const stray = new FormData();
    stray.append('notes', 'not a file');
    expect(await postForm(`/v1/knowledge/${kb}/documents`, stray)).toMatchObject({ status: 422, body: { details: { issues: [{ code: 'upload_field_unknown' }] } } });
    expect(await postForm(`/v1/knowledge/${kb}/documents`, filesForm({ 'a.txt': 'x' }, { source: 'robot' }))).toMatchObject({ status: 422, body: { details: { issues: [{ code: 'upload_field_invalid' }] } } });
    const tooBig = await postForm(`/v1/knowledge/${kb}/documents`, filesForm({ 'small.txt': 'x', 'big.txt': new Uint8Array(KNOWLEDGE_LIMITS.maxDocumentBytes + 1) }));
    expect(tooBig).toMatchObject({ status: 413, body: { code: 'upload_too_large', message: expect.stringContaining('per document') } });
    const manyFiles: Record<string, string> = {};
    for (let i = 0; i <= KNOWLEDGE_LIMITS.maxDocumentsPerUpload; i++) manyFiles[`f${i}.txt`] = `file ${i}`;
    expect(await postForm(`/v1/knowledge/${kb}/documents`, filesForm(manyFiles))).toMatchObject({ status: 413, body: { code: 'upload_too_large', message: expect.stringContaining('1000 documents') } });
    const broken = await fetch(`${h.url}/v1/knowledge/${kb}/documents`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'multipart/form-data; boundary=xyz' },
      body: '--xyz\r\nContent-Disposition: form-data; name="files"; filename="a.txt"\r\n\r\nno closing boundary',
    });
    expect([broken.status, ((await broken.json()) as any).code]).toEqual([400, 'malformed_request']);
    const noBoundary = await fetch(`${h.url}/v1/knowledge/${kb}/documents`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'multipart/form-data' }, body: 'x' });
    expect(noBoundary.status).toBe(400);
    const textPdf = await api('POST', `/v1/knowledge/${kb}/documents`, { documents: [{ name: 'scan.pdf', text: 'not binary' }, { name: 'nul\u0000.txt', text: 'x' }] });
    expect(textPdf.status).toBe(400); // the NUL is refused by input hygiene before anything else
    const textBad = await api('POST', `/v1/knowledge/${kb}/documents`, { documents: [{ name: 'scan.pdf', text: 'not binary' }, { name: ' / ', text: 'x' }, { name: 'blank.txt', text: '' }] });
    expect(textBad.body.details.issues.map((i: any) => [i.code, i.path])).toEqual([
      ['document_unsupported', ['documents', 0, 'name']],
      ['document_name_invalid', ['documents', 1, 'name']],
      ['document_empty', ['documents', 2, 'name']],
    ]);
    expect((await api('POST', `/v1/knowledge/${kb}/documents`, { documents: [] })).status).toBe(400);
    expect((await api('POST', `/v1/knowledge/${kb}/documents`)).status).toBe(400);
    expect(await count()).toBe(before);
  });
});

describe('ingestion jobs without a worker', () => {
  let kb: string;
  let jobId: string;
  let docId: string;
  beforeAll(async () => {
    kb = await createKnowledge('jobs');
    const r = await api('POST', `/v1/knowledge/${kb}/documents`, { documents: [{ name: 'one.txt', text: 'one' }] });
    jobId = r.body.data.jobId;
    docId = r.body.data.documents[0].id;
  });

  it('lists jobs with their counts, by knowledge and status', async () => {
    const list = await api('GET', `/v1/ingestion-jobs?knowledgeId=${kb}`);
    expect(list.body.data).toEqual([expect.objectContaining({ id: jobId, knowledgeId: kb, status: 'queued', total: 1, progress: 0 })]);
    expect(list.body.data[0]).not.toHaveProperty('documents');
    expect((await api('GET', `/v1/ingestion-jobs?status=completed&knowledgeId=${kb}`)).body.data).toEqual([]);
    expect((await api('GET', '/v1/ingestion-jobs')).body.pagination.total).toBeGreaterThanOrEqual(4);
  });

  it('refuses a retry of a job that has not ended, and a knowledge delete while it runs', async () => {
    expect(await api('POST', `/v1/ingestion-jobs/${jobId}/retry`)).toMatchObject({ status: 409, body: { code: 'ingestion_job_state_conflict', details: { status: 'queued' } } });
    expect(await api('DELETE', `/v1/knowledge/${kb}`)).toMatchObject({ status: 409, body: { code: 'knowledge_busy', details: { status: 'queued', jobId } } });
    // A document that has not failed cannot be replaced.
    expect(await api('PUT', `/v1/knowledge/${kb}/documents/${docId}`, { text: 'two' })).toMatchObject({ status: 409, body: { code: 'document_state_conflict', details: { status: 'queued' } } });
  });

  it('cancels a queued job through Temporal (202: it ends when a worker takes it)', async () => {
    const r = await api('POST', `/v1/ingestion-jobs/${jobId}/cancel`);
    expect(r).toMatchObject({ status: 202, body: { data: { id: jobId, status: 'queued' } } });
    const history = await h.temporal.workflow.getHandle(ingestionWorkflowIdFor(jobId, 1)).fetchHistory();
    expect(history.events!.some((e) => e.workflowExecutionCancelRequestedEventAttributes)).toBe(true);
    // Asked again: the same answer (a cancel is idempotent).
    expect((await api('POST', `/v1/ingestion-jobs/${jobId}/cancel`)).status).toBe(202);
    expect(await viewer('POST', `/v1/ingestion-jobs/${jobId}/cancel`)).toMatchObject({ status: 403 });
  });

  it('ends a job whose workflow was terminated from outside, so that it can be retried (never stuck queued)', async () => {
    const kb2 = await createKnowledge('orphan');
    const up = await api('POST', `/v1/knowledge/${kb2}/documents`, { documents: [{ name: 'a.txt', text: 'alpha' }, { name: 'b.txt', text: 'beta' }] });
    const orphan = up.body.data.jobId as string;
    await h.temporal.workflow.getHandle(ingestionWorkflowIdFor(orphan, 1)).terminate('an operator stopped it');
    expect((await api('GET', `/v1/ingestion-jobs/${orphan}`)).body.data.status).toBe('queued');

    const retried = await api('POST', `/v1/ingestion-jobs/${orphan}/retry`);
    expect(retried).toMatchObject({ status: 202, body: { data: { id: orphan, status: 'queued', attempt: 2 } } });
    // Attempt 2 is a workflow of its own; attempt 1's documents were ended before they were queued again.
    expect((await h.temporal.workflow.getHandle(ingestionWorkflowIdFor(orphan, 2)).describe()).status.name).toBe('RUNNING');
    const docs = await h.prisma.knowledgeDocument.findMany({ where: { knowledgeId: kb2 } });
    expect(docs.map((d) => [d.status, d.errorCode])).toEqual([['queued', null], ['queued', null]]);

    // Terminated again, then cancelled: it ends cancelled with its documents in error, never stuck.
    await h.temporal.workflow.getHandle(ingestionWorkflowIdFor(orphan, 2)).terminate('again');
    expect(await api('POST', `/v1/ingestion-jobs/${orphan}/cancel`)).toMatchObject({ status: 200, body: { data: { status: 'cancelled' } } });
    const job = (await api('GET', `/v1/ingestion-jobs/${orphan}`)).body.data;
    expect(job).toMatchObject({ status: 'cancelled', failed: 2 });
    expect(job.documents.map((d: any) => d.error.code)).toEqual(['ingestion_interrupted', 'ingestion_interrupted']);
    // Its event stream ends with the end the workflow could not write, so no follower waits for ever.
    const stream = await openStream(h.url, `/v1/ingestion-jobs/${orphan}/events`, key);
    const events = await stream.collect(undefined, { timeoutMs: 20_000 });
    await stream.ended;
    expect(events.at(-1)).toMatchObject({ event: 'job.finished', data: { status: 'cancelled', attempt: 2, failed: 2 } });
  });

  it('answers 404 to another tenant on every route with these ids', async () => {
    const routes: [string, string, unknown?][] = [
      ['GET', `/v1/knowledge/${kb}`],
      ['DELETE', `/v1/knowledge/${kb}`],
      ['POST', `/v1/knowledge/${kb}/documents`, { documents: [{ name: 'x.txt', text: 'x' }] }],
      ['GET', `/v1/knowledge/${kb}/documents`],
      ['GET', `/v1/knowledge/${kb}/documents/${docId}`],
      ['PUT', `/v1/knowledge/${kb}/documents/${docId}`, { text: 'x' }],
      ['DELETE', `/v1/knowledge/${kb}/documents/${docId}`],
      ['GET', `/v1/ingestion-jobs/${jobId}`],
      ['POST', `/v1/ingestion-jobs/${jobId}/retry`],
      ['POST', `/v1/ingestion-jobs/${jobId}/cancel`],
    ];
    for (const [method, path, body] of routes) {
      const r = await other(method, path, body);
      expect([method, path, r.status]).toEqual([method, path, 404]);
      expect(r.body.code).toMatch(/^(knowledge|document|ingestion_job)_not_found$/);
    }
    const form = await postForm(`/v1/knowledge/${kb}/documents`, filesForm({ 'x.txt': 'x' }), otherKey);
    expect(form).toMatchObject({ status: 404, body: { code: 'knowledge_not_found' } });
    const stream = await openStream(h.url, `/v1/ingestion-jobs/${jobId}/events`, otherKey);
    expect([stream.status, stream.body.code]).toEqual([404, 'ingestion_job_not_found']);
    expect((await other('GET', `/v1/ingestion-jobs?knowledgeId=${kb}`)).body.data).toEqual([]);
    // The knowledge and its document are untouched.
    expect((await api('GET', `/v1/knowledge/${kb}/documents/${docId}`)).status).toBe(200);
  });

  it('deletes a document with its vectors (also while its job has it), and a knowledge with everything of it', async () => {
    const store = vectorStoreOf(h.app);
    const tenantId = (await h.prisma.knowledge.findUniqueOrThrow({ where: { id: kb } })).tenantId;
    const ref = { tenantId, knowledgeId: kb, dimensions: null };
    const two = await api('POST', `/v1/knowledge/${kb}/documents`, { documents: [{ name: 'two.txt', text: 'two words' }] });
    const twoId = two.body.data.documents[0].id;
    // The vectors a worker would have written for both documents.
    await store.ensureKnowledge(ref);
    await store.upsert(ref, [
      { id: `${docId}-0`, documentId: docId, text: 'one' },
      { id: `${twoId}-0`, documentId: twoId, text: 'two words' },
      { id: `${twoId}-1`, documentId: twoId, text: 'words two' },
    ]);
    expect([await store.count(ref, twoId), await store.count(ref)]).toEqual([2, 3]);
    const gone = await api('DELETE', `/v1/knowledge/${kb}/documents/${twoId}`);
    expect(gone).toMatchObject({ status: 200, body: { data: { id: twoId, deleted: true } } });
    expect([await store.count(ref, twoId), await store.count(ref)]).toEqual([0, 1]);
    expect((await api('GET', `/v1/knowledge/${kb}/documents`)).body.data.map((d: any) => d.id)).toEqual([docId]);
    expect(await api('GET', `/v1/knowledge/${kb}/documents/${twoId}`)).toMatchObject({ status: 404, body: { code: 'document_not_found' } });
    expect((await api('DELETE', `/v1/knowledge/${kb}/documents/${twoId}`)).status).toBe(404);
    expect(await h.prisma.ingestionJobDocument.count({ where: { documentId: twoId } })).toBe(0);

    // A knowledge without a job in progress goes with its vectors, documents and jobs.
    const spare = await createKnowledge('spare');
    const spareRef = { tenantId, knowledgeId: spare, dimensions: null };
    await store.upsert(spareRef, [{ id: 'doc_x-0', documentId: 'doc_x', text: 'spare' }]);
    expect(await store.count(spareRef)).toBe(1);
    expect(await api('DELETE', `/v1/knowledge/${spare}`)).toMatchObject({ status: 200, body: { data: { id: spare, deleted: true } } });
    expect(await store.count(spareRef)).toBe(0);
    expect((await api('GET', `/v1/knowledge/${spare}`)).status).toBe(404);
    expect(await store.count(ref)).toBe(1);
  });

  it('answers 404 for ids that do not exist', async () => {
    expect(await api('GET', '/v1/knowledge/kb_nope')).toMatchObject({ status: 404, body: { code: 'knowledge_not_found' } });
    expect(await api('GET', `/v1/knowledge/${kb}/documents/doc_nope`)).toMatchObject({ status: 404, body: { code: 'document_not_found' } });
    expect(await api('GET', '/v1/ingestion-jobs/job_nope')).toMatchObject({ status: 404, body: { code: 'ingestion_job_not_found' } });
  });
});
