import { randomUUID } from 'node:crypto';
import { DocumentParser, MilvusVectorStore, RunEventStream, splitDocument, type KnowledgeRef } from '@weft/activities';
import { ingestionWorkflowIdFor } from '@weft/domain';
import { eventually, startHarness, type Harness } from '../support/harness';
import { samplePdf, sampleDocx } from '../support/document-samples';
import { addDocuments, createJob, createKnowledge, createTenant, documentStates, jobRuns, replaceContent, startJob, type DocumentSpec } from '../support/ingestion-fixtures';
import { allowEntry } from '../support/llm-suite';
import { startOpenAiServer, type OpenAiServer } from '../support/openai-server';
import { testEnv } from '../support/test-env';
import { spawnWorker, type WorkerProcess } from '../support/worker-process';

// Ingestion end to end against the real stack: Temporal (the job and document workflows on the
// ingestion task queue), PostgreSQL, Redis (the job's events), Milvus Lite, and the local
// OpenAI-compatible server as the tenant's embedding provider. Jobs are started with the Temporal
// client, as the API's upload and retry routes start them.
let h: Harness;
let server: OpenAiServer;
let vectors: MilvusVectorStore;
let parser: DocumentParser;
let stopWorker: () => Promise<void>;
const KEY = `sk-ingest-${randomUUID()}`;
const DIMS = 32;
const embedding = { model: 'embed-test', dimensions: DIMS };

beforeAll(async () => {
  server = await startOpenAiServer();
  h = await startHarness('ingestion', { WEFT_MODEL_PROVIDER_ALLOWLIST: allowEntry(server), WEFT_INGESTION_MAX_ACTIVITIES: '6' });
  vectors = new MilvusVectorStore({ address: testEnv.milvusAddress });
  parser = new DocumentParser();
  stopWorker = (await h.startWorker(undefined, { ingestion: { vectors, parse: (b, f, n) => parser.parse(b, f, n), split: splitDocument } })).stop;
});
afterAll(async () => {
  await stopWorker?.();
  await h?.close();
  await parser?.close();
  await server?.close();
});
beforeEach(() => server.reset());

const words = ['harbour', 'lantern', 'orchard', 'granite', 'meadow', 'copper', 'violet', 'falcon', 'thistle', 'ember'];
/** A text of a few segments (chunks of 200 characters), distinct per `i`. */
const prose = (i: number, sentences = 6) =>
  Array.from({ length: sentences }, (_, s) => `Document ${i} sentence ${s} speaks of the ${words[(i + s) % words.length]} and the ${words[(i * 3 + s) % words.length]} near river ${i}.`).join(' ');

async function mixedBatch(count: number): Promise<DocumentSpec[]> {
  const docs: DocumentSpec[] = [];
  for (let i = 0; i < count; i++) {
    const text = prose(i);
    switch (i % 7) {
      case 0: docs.push({ name: `note-${i}.txt`, format: 'txt', content: text }); break;
      case 1: docs.push({ name: `page-${i}.md`, format: 'md', content: `# Title ${i}\n\n${text}\n\n## More\n\n${prose(i + 100, 2)}` }); break;
      case 2: docs.push({ name: `page-${i}.html`, format: 'html', content: `<html><body><h1>Page ${i}</h1><p>${text}</p><script>ignored()</script></body></html>` }); break;
      case 3: docs.push({ name: `data-${i}.json`, format: 'json', content: JSON.stringify({ id: i, body: text, tags: ['a', 'b'] }) }); break;
      case 4: docs.push({ name: `table-${i}.csv`, format: 'csv', content: `id,text\n${i},"${text}"\n` }); break;
      case 5: docs.push({ name: `paper-${i}.pdf`, format: 'pdf', content: await samplePdf([text.slice(0, 90), text.slice(90, 180)]) }); break;
      default: docs.push({ name: `letter-${i}.docx`, format: 'docx', content: await sampleDocx([{ text }]) });
    }
  }
  return docs;
}

const refOf = (tenantId: string, knowledgeId: string, dimensions: number | null = DIMS): KnowledgeRef => ({ tenantId, knowledgeId, dimensions });

async function jobEvents(jobId: string) {
  return new RunEventStream(h.redis).read(jobId);
}

describe('ingestion jobs', () => {
  it('indexes a batch of 50 mixed documents, 2 corrupt: completed-with-errors, 48 indexed, 2 clear errors; then a retry of the 2 fixed ones', async () => {
    const tenantId = await createTenant(h.prisma, { url: server.url, apiKey: KEY });
    const knowledgeId = await createKnowledge(h.prisma, tenantId, { indexing: 'high-quality', embedding });
    const specs = await mixedBatch(48);
    specs.splice(10, 0, { name: 'broken.pdf', format: 'pdf', content: Buffer.from('%PDF-1.7\nthis is not really a pdf at all\n%%EOF') });
    specs.splice(30, 0, { name: 'blank.txt', format: 'txt', content: '   \n\n \t ' });
    const ids = await addDocuments(h.prisma, tenantId, knowledgeId, specs);
    const job = await createJob(h.prisma, tenantId, knowledgeId, ids);

    const result = await (await startJob(h.temporal, h.ingestionTaskQueue, job, ids, { concurrency: 6 })).result();
    expect(result).toEqual({ status: 'completed-with-errors', total: 50, succeeded: 48, failed: 2 });
    // The test server suggests continue-as-new at 40 events: the job went on in new runs, each short.
    const runs = await jobRuns(h.temporal, ingestionWorkflowIdFor(job.jobId, 1));
    expect(runs.length).toBeGreaterThan(2);
    for (const run of runs) expect(run.events).toBeLessThan(150);
    const states = await documentStates(h.prisma, ids);
    const broken = states.get(ids[10]!)!;
    const blank = states.get(ids[30]!)!;
    expect(broken).toMatchObject({ status: 'error', errorCode: 'document_unreadable' });
    expect(broken.errorMessage).toContain('broken.pdf');
    expect(blank).toMatchObject({ status: 'error', errorCode: 'document_empty', errorMessage: "'blank.txt' holds no text" });
    const indexed = [...states.values()].filter((d) => d.status === 'completed');
    expect(indexed).toHaveLength(48);
    expect(indexed.every((d) => d.segmentCount > 0 && d.tokenCount > 0 && d.errorCode === null)).toBe(true);
    // Every segment is one vector, no more: counted in Milvus, per document and in all.
    const ref = refOf(tenantId, knowledgeId);
    const segments = indexed.reduce((n, d) => n + d.segmentCount, 0);
    expect(await vectors.count(ref)).toBe(segments);
    expect(await vectors.count(ref, indexed[0]!.id)).toBe(indexed[0]!.segmentCount);
    expect(await h.prisma.knowledgeSegment.count({ where: { knowledgeId } })).toBe(segments);
    const jobRow = await h.prisma.ingestionJob.findUniqueOrThrow({ where: { id: job.jobId } });
    expect(jobRow).toMatchObject({ status: 'completed-with-errors' });
    expect(jobRow.startedAt).not.toBeNull();
    expect(jobRow.finishedAt).not.toBeNull();

    // The job's events: started, each document's statuses in order, progress, finished.
    const events = await jobEvents(job.jobId);
    expect(events[0]).toMatchObject({ type: 'job.started', data: { documents: 50, total: 50 } });
    expect(events.at(-1)).toMatchObject({ type: 'job.finished', data: { status: 'completed-with-errors', total: 50, succeeded: 48, failed: 2, progress: 100 } });
    const ofFirst = events.filter((e) => e.type === 'document.status' && e.data.documentId === ids[0]).map((e) => e.data.status);
    expect(ofFirst).toEqual(['parsing', 'splitting', 'embedding', 'indexing', 'completed']);
    expect(events.find((e) => e.type === 'document.status' && e.data.documentId === ids[30] && e.data.status === 'error')!.data.error).toEqual({
      code: 'document_empty',
      message: "'blank.txt' holds no text",
    });
    expect(events.filter((e) => e.type === 'job.progress')).toHaveLength(50);

    // A retry of the failed documents only, after fixing them: attempt 2 of the same job.
    await replaceContent(h.prisma, ids[10]!, prose(1000));
    await h.prisma.knowledgeDocument.update({ where: { id: ids[10]! }, data: { format: 'txt' } });
    await replaceContent(h.prisma, ids[30]!, prose(1001));
    await h.prisma.ingestionJob.update({ where: { id: job.jobId }, data: { attempt: 2, temporalWorkflowId: ingestionWorkflowIdFor(job.jobId, 2) } });
    server.reset();
    const retried = await (await startJob(h.temporal, h.ingestionTaskQueue, job, [ids[10]!, ids[30]!], { attempt: 2 })).result();
    expect(retried).toEqual({ status: 'completed', total: 50, succeeded: 50, failed: 0 });
    const after = await documentStates(h.prisma, ids);
    expect(after.get(ids[10]!)).toMatchObject({ status: 'completed', errorCode: null, errorMessage: null });
    expect(after.get(ids[30]!)).toMatchObject({ status: 'completed' });
    // Only the two retried documents were embedded again.
    const sent = server.embeddingCalls().flatMap((c) => c.body.input as string[]);
    expect(sent.length).toBeGreaterThan(0);
    expect(sent.every((t) => t.includes('1000') || t.includes('1001'))).toBe(true);
    const total = [...after.values()].reduce((n, d) => n + d.segmentCount, 0);
    expect(await vectors.count(ref)).toBe(total);
    expect((await h.prisma.ingestionJob.findUniqueOrThrow({ where: { id: job.jobId } })).status).toBe('completed');
  }, 240_000);

  it('a re-index embeds nothing again (the cache) and leaves no duplicate vector; a shorter re-split drops the vectors past its end', async () => {
    const tenantId = await createTenant(h.prisma, { url: server.url, apiKey: KEY });
    // No dimensions set: the store learns them from the vectors.
    const knowledgeId = await createKnowledge(h.prisma, tenantId, { indexing: 'high-quality', embedding: { model: 'embed-test' } });
    const ids = await addDocuments(h.prisma, tenantId, knowledgeId, [
      { name: 'long.txt', format: 'txt', content: prose(1, 20) },
      { name: 'other.md', format: 'md', content: `# Other\n\n${prose(2, 8)}` },
    ]);
    const job = await createJob(h.prisma, tenantId, knowledgeId, ids);
    expect((await (await startJob(h.temporal, h.ingestionTaskQueue, job, ids)).result()).status).toBe('completed');
    const first = await documentStates(h.prisma, ids);
    const ref = refOf(tenantId, knowledgeId, 64);
    const count = await vectors.count(ref);
    expect(count).toBe(first.get(ids[0]!)!.segmentCount + first.get(ids[1]!)!.segmentCount);
    expect(server.embeddingCalls().length).toBeGreaterThan(0);
    // Recorded by the first indexing, so a delete (API or worker) finds the collection they live in.
    expect((await h.prisma.knowledge.findUniqueOrThrow({ where: { id: knowledgeId } })).vectorDimensions).toBe(64);

    // The same batch again (attempt 2): every text is in the cache, every vector id is the same.
    server.reset();
    expect((await (await startJob(h.temporal, h.ingestionTaskQueue, job, ids, { attempt: 2 })).result()).status).toBe('completed');
    expect(server.embeddingCalls()).toHaveLength(0);
    expect(await vectors.count(ref)).toBe(count);

    // The long document shrinks: its segments and vectors past the new end are gone.
    await replaceContent(h.prisma, ids[0]!, prose(1, 3));
    expect((await (await startJob(h.temporal, h.ingestionTaskQueue, job, [ids[0]!], { attempt: 3 })).result()).status).toBe('completed');
    const shrunk = (await documentStates(h.prisma, ids)).get(ids[0]!)!;
    expect(shrunk.segmentCount).toBeLessThan(first.get(ids[0]!)!.segmentCount);
    expect(await vectors.count(ref, ids[0]!)).toBe(shrunk.segmentCount);
    expect(await h.prisma.knowledgeSegment.count({ where: { documentId: ids[0]! } })).toBe(shrunk.segmentCount);
  }, 120_000);

  it('an economy knowledge is indexed with no model provider at all (BM25 only)', async () => {
    const tenantId = await createTenant(h.prisma);
    const knowledgeId = await createKnowledge(h.prisma, tenantId, { indexing: 'economy' });
    const ids = await addDocuments(h.prisma, tenantId, knowledgeId, (await mixedBatch(5)).map((d, i) => ({ ...d, name: `e${i}-${d.name}` })));
    const job = await createJob(h.prisma, tenantId, knowledgeId, ids);
    const result = await (await startJob(h.temporal, h.ingestionTaskQueue, job, ids)).result();
    expect(result).toEqual({ status: 'completed', total: 5, succeeded: 5, failed: 0 });
    expect(server.embeddingCalls()).toHaveLength(0);
    const states = [...(await documentStates(h.prisma, ids)).values()];
    expect(await vectors.count(refOf(tenantId, knowledgeId, null))).toBe(states.reduce((n, d) => n + d.segmentCount, 0));
    const events = await jobEvents(job.jobId);
    expect(events.filter((e) => e.type === 'document.status' && e.data.documentId === ids[0]).map((e) => e.data.status)).toEqual(['parsing', 'splitting', 'indexing', 'completed']);
    const hits = await vectors.search(refOf(tenantId, knowledgeId, null), { mode: 'full-text', query: 'river 3', topK: 3 });
    expect(hits[0]!.documentId).toBe(ids[3]);
  }, 120_000);

  it('a high-quality knowledge whose tenant has no provider ends its documents in error embedding_unavailable, not stuck', async () => {
    const tenantId = await createTenant(h.prisma);
    const knowledgeId = await createKnowledge(h.prisma, tenantId, { indexing: 'high-quality', embedding });
    const ids = await addDocuments(h.prisma, tenantId, knowledgeId, [{ name: 'a.txt', format: 'txt', content: prose(7) }]);
    const job = await createJob(h.prisma, tenantId, knowledgeId, ids);
    const result = await (await startJob(h.temporal, h.ingestionTaskQueue, job, ids)).result();
    expect(result).toEqual({ status: 'completed-with-errors', total: 1, succeeded: 0, failed: 1 });
    const doc = (await documentStates(h.prisma, ids)).get(ids[0]!)!;
    expect(doc).toMatchObject({ status: 'error', errorCode: 'embedding_unavailable', segmentCount: 0 });
    expect(await h.prisma.knowledgeSegment.count({ where: { documentId: ids[0]! } })).toBe(0);
  }, 60_000);

  it('a cancelled job stops: documents in flight and not started end ingestion_cancelled, none stuck, none half indexed', async () => {
    const tenantId = await createTenant(h.prisma, { url: server.url, apiKey: KEY });
    const knowledgeId = await createKnowledge(h.prisma, tenantId, { indexing: 'high-quality', embedding });
    const ids = await addDocuments(h.prisma, tenantId, knowledgeId, Array.from({ length: 12 }, (_, i) => ({ name: `c${i}.txt`, format: 'txt' as const, content: prose(200 + i) })));
    const job = await createJob(h.prisma, tenantId, knowledgeId, ids);
    server.embeddingDelayMs = 400;
    const handle = await startJob(h.temporal, h.ingestionTaskQueue, job, ids, { concurrency: 2 });
    await eventually(async () => (await h.prisma.knowledgeDocument.count({ where: { id: { in: ids }, status: 'completed' } })) >= 1, 60_000);
    await handle.cancel();
    const result = await handle.result();
    server.embeddingDelayMs = 0;
    expect(result.status).toBe('cancelled');
    const states = [...(await documentStates(h.prisma, ids)).values()];
    const completed = states.filter((d) => d.status === 'completed');
    const cancelled = states.filter((d) => d.errorCode === 'ingestion_cancelled');
    expect(completed.length + cancelled.length).toBe(12);
    expect(cancelled.length).toBeGreaterThan(0);
    expect(cancelled.every((d) => d.status === 'error' && d.segmentCount === 0)).toBe(true);
    for (const d of cancelled) expect(await vectors.count(refOf(tenantId, knowledgeId), d.id)).toBe(0);
    expect(await vectors.count(refOf(tenantId, knowledgeId))).toBe(completed.reduce((n, d) => n + d.segmentCount, 0));
    const jobRow = await h.prisma.ingestionJob.findUniqueOrThrow({ where: { id: job.jobId } });
    expect(jobRow.status).toBe('cancelled');
    expect((await jobEvents(job.jobId)).at(-1)).toMatchObject({ type: 'job.finished', data: { status: 'cancelled' } });
  }, 120_000);
});

describe('a worker killed mid-batch', () => {
  let proc: WorkerProcess | undefined;
  afterEach(async () => {
    await proc?.stop();
  });

  it('SIGKILL, then a restart: every document ends completed, none stuck, no duplicate vector', async () => {
    // The in-process worker steps aside: the production worker, in a process of its own, takes the queue.
    await stopWorker();
    const env = {
      TEMPORAL_TASK_QUEUE: h.taskQueue,
      TEMPORAL_INGESTION_TASK_QUEUE: h.ingestionTaskQueue,
      MILVUS_ADDRESS: testEnv.milvusAddress,
      WEFT_MODEL_PROVIDER_ALLOWLIST: allowEntry(server),
      WEFT_ENCRYPTION_KEY: testEnv.encryptionKey,
    };
    proc = await spawnWorker(h.taskQueue, env);
    const tenantId = await createTenant(h.prisma, { url: server.url, apiKey: KEY });
    const knowledgeId = await createKnowledge(h.prisma, tenantId, { indexing: 'high-quality', embedding });
    const ids = await addDocuments(h.prisma, tenantId, knowledgeId, Array.from({ length: 24 }, (_, i) => ({ name: `k${i}.txt`, format: 'txt' as const, content: prose(300 + i, 10) })));
    const job = await createJob(h.prisma, tenantId, knowledgeId, ids);
    server.embeddingDelayMs = 1000;
    const handle = await startJob(h.temporal, h.ingestionTaskQueue, job, ids, { concurrency: 4 });
    // Kill once some documents are done and others are between steps: waiting for their embeddings
    // (each request takes a second here), so they are still there when the kill lands a moment later
    // (one only indexing may finish in that moment).
    await eventually(
      async () =>
        (await h.prisma.knowledgeDocument.count({ where: { id: { in: ids }, status: 'completed' } })) >= 3 &&
        (await h.prisma.knowledgeDocument.count({ where: { id: { in: ids }, status: 'embedding' } })) > 0,
      90_000,
      20,
    );
    process.kill(proc.pid, 'SIGKILL');
    await eventually(async () => !proc!.alive(), 10_000, 50);
    const atKill = await documentStates(h.prisma, ids);
    const inFlight = [...atKill.values()].filter((d) => !['completed', 'error', 'queued'].includes(d.status));
    const done = [...atKill.values()].filter((d) => d.status === 'completed');
    // The kill landed mid-batch: some documents done, some between steps.
    expect(done.length).toBeLessThan(24);
    expect(inFlight.length).toBeGreaterThan(0);

    proc = await spawnWorker(h.taskQueue, env);
    const result = await handle.result();
    server.embeddingDelayMs = 0;
    expect(result).toEqual({ status: 'completed', total: 24, succeeded: 24, failed: 0 });
    const states = [...(await documentStates(h.prisma, ids)).values()];
    expect(states.every((d) => d.status === 'completed')).toBe(true);
    const segments = states.reduce((n, d) => n + d.segmentCount, 0);
    expect(await vectors.count(refOf(tenantId, knowledgeId))).toBe(segments);
    for (const d of inFlight) expect(await vectors.count(refOf(tenantId, knowledgeId), d.id)).toBe(states.find((s) => s.id === d.id)!.segmentCount);
  }, 300_000);
});
