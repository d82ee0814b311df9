import { randomUUID } from 'node:crypto';
import { allowEntry } from '../support/llm-suite';
import { code, end, graph, start } from '../support/graph-builder';
import { eventually, httpClient, publishGraph, resetDatabase, runGraph, startHarness, type ApiClient, type Harness } from '../support/harness';
import { startOpenAiServer, type OpenAiServer } from '../support/openai-server';
import { freePort, scrape, type Scrape } from '../support/prometheus-text';
import { openEvents } from '../support/sse-client';
import { testEnv } from '../support/test-env';
import { spawnWorker, type WorkerProcess } from '../support/worker-process';

/**
 * GET /metrics on the API (in this process) and on the production worker (a process of its own,
 * WEFT_WORKER_METRICS_PORT), around real runs: scrape, run, scrape again, and compare.
 */
describe('metrics', () => {
  let h: Harness;
  let api: ApiClient;
  let key: string;
  let llm: OpenAiServer;
  let worker: WorkerProcess;
  let workerMetrics: string;

  beforeAll(async () => {
    h = await startHarness('metrics');
    await resetDatabase(h.prisma);
    llm = await startOpenAiServer();
    const port = await freePort();
    workerMetrics = `http://127.0.0.1:${port}/metrics`;
    worker = await spawnWorker(h.taskQueue, {
      TEMPORAL_INGESTION_TASK_QUEUE: h.ingestionTaskQueue,
      MILVUS_ADDRESS: testEnv.milvusAddress,
      WEFT_MODEL_PROVIDER_ALLOWLIST: allowEntry(llm),
      WEFT_WORKER_METRICS_PORT: String(port),
    });
    key = await h.key('acme');
    api = httpClient(h.url, key);
    const provider = await api('POST', '/v1/model-providers', { name: `local-${randomUUID()}`, type: 'openai', baseUrl: llm.url, apiKey: `sk-${randomUUID()}` });
    expect(provider.status).toBe(201);
  });

  afterAll(async () => {
    await worker?.stop();
    await h?.close();
    await llm?.close();
  });

  const both = async () => ({ api: await scrape(`${h.url}/metrics`), worker: await scrape(workerMetrics) });
  const moved = (before: Scrape, after: Scrape) => (name: string, labels?: Record<string, string>) => after.value(name, labels) - before.value(name, labels);

  it('counts a run, its nodes, a retry and the LLM tokens, and names no run', async () => {
    const before = await both();
    // The first call fails with a retryable 500: the node's second attempt is the retry counted.
    llm.enqueue({ kind: 'error', status: 500, message: 'try again' }, { kind: 'text', text: 'Weft runs workflows', usage: { prompt_tokens: 11, completion_tokens: 4 } });
    const g = graph(
      [
        start,
        { id: 'ask', type: 'llm', data: { model: 'gpt-metrics', messages: [{ role: 'user', content: 'What is Weft?' }] }, retry: { maxAttempts: 2, initialInterval: '100ms' } },
        code('shape', { text: '{{ ask.text }}' }),
        end({ text: '{{ shape.text }}' }),
      ],
      [
        ['start', 'ask'],
        ['ask', 'shape'],
        ['shape', 'end'],
      ],
    );
    const { run, workflowId } = await runGraph(api, g);
    expect(run.status).toBe('succeeded');
    const missing = await api('GET', `/v1/no-such-route-${randomUUID()}`);
    expect(missing.status).toBe(404);
    // Runs are finished in the worker's last activity; the scrape comes after the answer, but the
    // worker's counters move when that activity ends, which may be a moment after the run's record.
    const after = await eventually(async () => {
      const now = await both();
      return now.worker.value('weft_runs_finished_total', { status: 'succeeded' }) > before.worker.value('weft_runs_finished_total', { status: 'succeeded' }) && now;
    });

    const onApi = moved(before.api, after.api);
    expect(onApi('weft_runs_started_total', { trigger: 'api' })).toBe(1);
    expect(onApi('weft_http_request_duration_seconds_count', { method: 'POST', route: '/v1/workflows/:id/runs', status: '200' })).toBe(1);
    expect(onApi('weft_http_request_duration_seconds_count', { method: 'POST', route: '/v1/workflows/:id/publish', status: '201' })).toBe(1);
    expect(onApi('weft_http_request_duration_seconds_count', { method: 'GET', route: 'unmatched', status: '404' })).toBe(1);
    expect(after.api.has('process_resident_memory_bytes')).toBe(true);

    const onWorker = moved(before.worker, after.worker);
    expect(onWorker('weft_runs_finished_total', { status: 'succeeded' })).toBe(1);
    for (const type of ['start', 'llm', 'code', 'end']) expect([type, onWorker('weft_node_execution_duration_seconds_count', { type, status: 'succeeded' })]).toEqual([type, 1]);
    expect(onWorker('weft_node_retries_total', { type: 'llm' })).toBe(1);
    expect(onWorker('weft_llm_calls_total', { provider: 'openai', model: 'gpt-metrics', outcome: 'error' })).toBe(1);
    expect(onWorker('weft_llm_calls_total', { provider: 'openai', model: 'gpt-metrics', outcome: 'ok' })).toBe(1);
    expect(onWorker('weft_llm_tokens_total', { provider: 'openai', model: 'gpt-metrics', direction: 'input' })).toBe(11);
    expect(onWorker('weft_llm_tokens_total', { provider: 'openai', model: 'gpt-metrics', direction: 'output' })).toBe(4);

    // Labels never carry what grows with use: no run, workflow or tenant id, no URL.
    const tenant = await h.prisma.tenant.findFirstOrThrow({ select: { id: true } });
    for (const text of [after.api.text, after.worker.text]) {
      for (const id of [run.id, workflowId, tenant.id, 'no-such-route']) expect(text).not.toContain(id);
    }

    // The Temporal SDK's own worker metrics, merged into the worker's answer.
    expect(after.worker.value('weft_temporal_sdk_metrics_up')).toBe(1);
    const sdk = [...new Set(after.worker.samples.filter((s) => s.name.startsWith('temporal_')).map((s) => s.name))];
    expect(sdk).toEqual(expect.arrayContaining(['temporal_worker_task_slots_available', 'temporal_sticky_cache_size']));
    expect(sdk.some((n) => n.startsWith('temporal_workflow_task_schedule_to_start_latency'))).toBe(true);
  });

  it('counts ingested documents by how their indexing ended', async () => {
    const before = await scrape(workerMetrics);
    const kb = await api('POST', '/v1/knowledge', { name: 'metrics', chunking: { strategy: 'paragraph', size: 400, overlap: 0 } });
    expect(kb.status).toBe(201);
    const upload = await api('POST', `/v1/knowledge/${kb.body.data.id}/documents`, {
      documents: [
        { name: 'notes.md', text: '# Weft\n\nWeft runs workflows for LLM applications.' },
        { name: 'broken.json', text: '{"not": json' },
      ],
    });
    expect(upload.status).toBe(202);
    const job = await eventually(async () => {
      const j = await api('GET', `/v1/ingestion-jobs/${upload.body.data.jobId}`);
      return j.body.data.finishedAt && j.body.data;
    });
    expect(job).toMatchObject({ succeeded: 1, failed: 1 });
    const after = await scrape(workerMetrics);
    const onWorker = moved(before, after);
    expect(onWorker('weft_ingestion_documents_total', { status: 'completed' })).toBe(1);
    expect(onWorker('weft_ingestion_documents_total', { status: 'error' })).toBe(1);
  });

  it('counts open live event streams', async () => {
    const id = await publishGraph(api, graph([start, { id: 'pause', type: 'wait', data: { duration: '10m' } }, end({})], [['start', 'pause'], ['pause', 'end']]), 'sse');
    const started = await api('POST', `/v1/workflows/${id}/runs`, { inputs: {}, mode: 'async' });
    expect(started.status).toBe(202);
    const stream = await openEvents(h.url, started.body.data.id, key);
    try {
      expect(stream.status).toBe(200);
      expect((await scrape(`${h.url}/metrics`)).value('weft_sse_connections')).toBe(1);
    } finally {
      stream.close();
    }
    await eventually(async () => (await scrape(`${h.url}/metrics`)).value('weft_sse_connections') === 0);
    expect([200, 202]).toContain((await api('POST', `/v1/runs/${started.body.data.id}/cancel`)).status);
  });

  it('asks for the token when WEFT_METRICS_TOKEN is set', async () => {
    const token = `metrics-${randomUUID()}`;
    const guarded = await startHarness('metrics-token', { WEFT_METRICS_TOKEN: token });
    try {
      const refused = await fetch(`${guarded.url}/metrics`);
      expect(refused.status).toBe(401);
      expect(((await refused.json()) as { code: string }).code).toBe('unauthorized');
      expect((await fetch(`${guarded.url}/metrics`, { headers: { authorization: 'Bearer not-the-token-at-all' } })).status).toBe(401);
      expect((await scrape(`${guarded.url}/metrics`, { authorization: `Bearer ${token}` })).has('weft_http_request_duration_seconds_count')).toBe(true);
    } finally {
      await guarded.close();
    }
  });
});
