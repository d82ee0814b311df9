/**
 * Records the ingestion histories replayed by replay.test.ts: a job of ten documents (one empty)
 * on a high-quality knowledge, whose job workflow continues as new on the test server (it suggests
 * it at 40 events), and one document's child workflow. Exported with the Temporal CLI. Run with
 * `npm run replay:record:ingestion` (it replaces only the ingestion-*.json histories).
 */
import fs from 'node:fs';
import path from 'node:path';
import { DocumentParser, MilvusVectorStore, splitDocument } from '@weft/activities';
import { ingestionWorkflowIdFor } from '@weft/domain';
import { startHarness, type Harness } from '../support/harness';
import { addDocuments, createJob, createKnowledge, createTenant, jobRuns, startJob } from '../support/ingestion-fixtures';
import { allowEntry } from '../support/llm-suite';
import { exportHistory, harnessCodec } from '../support/history-export';
import { startOpenAiServer, type OpenAiServer } from '../support/openai-server';
import { testEnv } from '../support/test-env';

const OUT = path.join(__dirname, 'histories');

let h: Harness;
let server: OpenAiServer;
let vectors: MilvusVectorStore;
let parser: DocumentParser;
let stop: () => Promise<void>;

beforeAll(async () => {
  server = await startOpenAiServer();
  h = await startHarness('record-ingestion', { WEFT_MODEL_PROVIDER_ALLOWLIST: allowEntry(server) });
  vectors = new MilvusVectorStore({ address: testEnv.milvusAddress });
  parser = new DocumentParser();
  stop = (await h.startWorker(undefined, { ingestion: { vectors, parse: (b, f, n) => parser.parse(b, f, n), split: splitDocument } })).stop;
  for (const f of fs.readdirSync(OUT)) if (f.startsWith('ingestion-') && f.endsWith('.json')) fs.rmSync(path.join(OUT, f));
});
afterAll(async () => {
  await stop();
  await h.close();
  await parser.close();
  await vectors.close();
  await server.close();
});

/** Decoded by the codec endpoint: committed histories are clear text, readable by any key. */
async function saveHistory(workflowId: string, runId: string, file: string) {
  fs.writeFileSync(path.join(OUT, file), await exportHistory(workflowId, { runId, codec: harnessCodec(h.url) }));
}

it('records an ingestion job (continued as new) and a document', async () => {
  const tenantId = await createTenant(h.prisma, { url: server.url, apiKey: 'sk-record' });
  const knowledgeId = await createKnowledge(h.prisma, tenantId, { indexing: 'high-quality', embedding: { model: 'embed-test', dimensions: 16 } });
  const ids = await addDocuments(h.prisma, tenantId, knowledgeId, [
    ...Array.from({ length: 9 }, (_, i) => ({ name: `r${i}.txt`, format: 'txt' as const, content: `Record ${i}. `.repeat(40) })),
    { name: 'empty.txt', format: 'txt' as const, content: ' ' },
  ]);
  const job = await createJob(h.prisma, tenantId, knowledgeId, ids);
  const handle = await startJob(h.temporal, h.ingestionTaskQueue, job, ids, { concurrency: 2 });
  expect((await handle.result()).status).toBe('completed-with-errors');
  const workflowId = ingestionWorkflowIdFor(job.jobId, 1);
  const runIds = (await jobRuns(h.temporal, workflowId)).map((r) => r.runId);
  expect(runIds.length).toBeGreaterThan(1);
  // The first run and the last (the one that ends the job).
  await saveHistory(workflowId, runIds[0]!, 'ingestion-job.1.json');
  await saveHistory(workflowId, runIds.at(-1)!, 'ingestion-job.2.json');
  const child = `${workflowId}/${ids[0]}`;
  await saveHistory(child, (await h.temporal.workflow.getHandle(child).describe()).runId, 'ingestion-document.json');
  const failed = `${workflowId}/${ids[9]}`;
  await saveHistory(failed, (await h.temporal.workflow.getHandle(failed).describe()).runId, 'ingestion-document-error.json');
}, 120_000);
