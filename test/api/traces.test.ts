import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { SpanKind } from '@opentelemetry/api';
import { Resource } from '@opentelemetry/resources';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { makeWorkflowExporter } from '@temporalio/interceptors-opentelemetry/lib/worker';
import { Worker } from '@temporalio/worker';
import { temporalWorkflowIdFor } from '@weft/domain';
import winston from 'winston';
import { SecretCipher, createHttpExecutor, createLlmExecutor, createLogger, RunEventStream, startTracing, type Logger, type Tracing } from '@weft/activities';
import { end, graph, start, type N } from '../support/graph-builder';
import { eventually, httpClient, publishGraph, resetDatabase, silentLogger, startHarness, workflowBundle, type ApiClient, type Harness } from '../support/harness';
import { startHttpTarget, type HttpTarget } from '../support/http-target';
import { allowEntry } from '../support/llm-suite';
import { startOpenAiServer, type OpenAiServer } from '../support/openai-server';
import { testEnv } from '../support/test-env';

/**
 * Traces and correlated logs through the real stack: the API and a worker in this process, traced
 * into an in-memory exporter; a run of an http-request node (a loopback target, allowlisted as the
 * http-node suite does) and an llm node (the local OpenAI-compatible server) must make one trace
 * from the API request down to each outgoing call, and its log lines must name the run and the trace.
 */
const exporter = new InMemorySpanExporter();
const lines: Record<string, any>[] = [];
let tracing: Tracing;
let target: HttpTarget;
let vendor: OpenAiServer;
let h: Harness;
let api: ApiClient;
let stopWorker: () => Promise<void>;

/** The JSON log (createLogger's format, redaction included) written into `lines` instead of stdout. */
function capturingLogger(): Logger {
  const logger = createLogger({ service: 'test', level: 'debug' });
  logger.clear();
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) lines.push(JSON.parse(line) as Record<string, any>);
      done();
    },
  });
  return logger.add(new winston.transports.Stream({ stream: sink }));
}

beforeAll(async () => {
  tracing = startTracing({ serviceName: 'weft-test', exporter, processor: 'simple' });
  target = await startHttpTarget();
  vendor = await startOpenAiServer();
  const logger = capturingLogger();
  h = await startHarness('traces', {}, logger, { tracing });
  await resetDatabase(h.prisma);
  const llm = createLlmExecutor({
    prisma: h.prisma,
    redis: h.redis,
    events: new RunEventStream(h.redis),
    logger: silentLogger,
    cipher: new SecretCipher(testEnv.encryptionKey),
    breaker: { prefix: `weft-test-${randomUUID().slice(0, 8)}` },
    allowlist: [allowEntry(vendor)],
  });
  stopWorker = (await h.startWorker({ 'http-request': createHttpExecutor({ allowlist: [`127.0.0.1:${target.port}`] }), llm })).stop;
  api = httpClient(h.url, await h.key('acme'));
  const provider = await api('POST', '/v1/model-providers', { name: 'local', type: 'openai', baseUrl: vendor.url, apiKey: `sk-provider-${randomUUID()}` });
  expect(provider.status).toBe(201);
});

afterAll(async () => {
  await stopWorker?.();
  await h?.close();
  await tracing?.shutdown();
  await target?.close();
  await vendor?.close();
});

const fetchNode: N = { id: 'fetch', type: 'http-request', data: { method: 'GET', url: '', query: { q: '{{ start.q }}' } } };
const askNode: N = { id: 'ask', type: 'llm', data: { model: 'gpt-test', messages: [{ role: 'user', content: 'Say {{ fetch.json.query.q }}' }] }, retry: { maxAttempts: 1, initialInterval: '100ms' } };

const named = (spans: ReadableSpan[], name: string) => spans.filter((s) => s.name === name);
const one = (spans: ReadableSpan[], name: string) => {
  const found = named(spans, name);
  if (found.length !== 1) throw new Error(`expected one span named ${name}, found ${found.length}: ${spans.map((s) => s.name).join(', ')}`);
  return found[0]!;
};
const parentOf = (span: ReadableSpan) => span.parentSpanId;
const idOf = (span: ReadableSpan) => span.spanContext().spanId;

describe('one trace per run request', () => {
  let run: any;
  let requestId: string;
  let trace: ReadableSpan[];
  let server: ReadableSpan;

  beforeAll(async () => {
    vendor.enqueue({ kind: 'text', text: 'hello' });
    const g = graph([start, { ...fetchNode, data: { ...(fetchNode.data as object), url: target.url('/echo') } }, askNode, end({ said: '{{ ask.text }}' })], [['start', 'fetch'], ['fetch', 'ask'], ['ask', 'end']], {
      q: { type: 'string', required: true },
    });
    const workflowId = await publishGraph(api, g);
    exporter.reset();
    lines.length = 0;
    const r = await api('POST', `/v1/workflows/${workflowId}/runs`, { inputs: { q: 'weft' }, mode: 'blocking', timeoutMs: 60_000 });
    expect(r.status).toBe(200);
    run = r.body.data;
    requestId = r.headers.get('x-request-id')!;
    // The request's span ends as its answer is sent; workflow spans leave the sandbox through a
    // sink after their activation: wait for both.
    server = await eventually(async () => exporter.getFinishedSpans().find((s) => s.kind === SpanKind.SERVER && s.attributes['weft.run_id'] === run.id));
    const inTrace = () => exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === server.spanContext().traceId);
    trace = await eventually(async () => (inTrace().some((s) => s.name === 'RunWorkflow:runWorkflow') ? inTrace() : undefined));
  });

  it('the run finished with the llm answer', () => {
    expect(run).toMatchObject({ status: 'succeeded', outputs: { said: 'hello' } });
  });

  it('starts at the API request span, named by its route template', () => {
    expect(server.name).toBe('POST /v1/workflows/:id/runs');
    expect(server.attributes).toMatchObject({ 'http.route': '/v1/workflows/:id/runs', 'http.response.status_code': 200, 'weft.request_id': requestId });
    expect(parentOf(server)).toBeUndefined();
  });

  it('StartWorkflow is a child of the request, and the workflow a child of StartWorkflow', () => {
    const startWorkflow = one(trace, 'StartWorkflow:runWorkflow');
    expect(parentOf(startWorkflow)).toBe(idOf(server));
    const workflow = one(trace, 'RunWorkflow:runWorkflow');
    expect(parentOf(workflow)).toBe(idOf(startWorkflow));
  });

  it('each node activity runs in a span under the workflow span that scheduled it', () => {
    const workflow = one(trace, 'RunWorkflow:runWorkflow');
    for (const activity of ['nodeHttpRequest', 'nodeLlm']) {
      const scheduled = one(trace, `StartActivity:${activity}`);
      expect(parentOf(scheduled)).toBe(idOf(workflow));
      const ran = one(trace, `RunActivity:${activity}`);
      expect(parentOf(ran)).toBe(idOf(scheduled));
    }
  });

  it('the outgoing HTTP and LLM calls are client spans under their activities, and carry the trace to the callee', () => {
    const clients = trace.filter((s) => s.kind === SpanKind.CLIENT);
    const http = clients.find((s) => String(s.attributes['url.full']).startsWith(target.url('/echo')))!;
    expect(http).toBeDefined();
    expect(http.name).toBe('GET');
    expect(parentOf(http)).toBe(idOf(one(trace, 'RunActivity:nodeHttpRequest')));
    // The query value is redacted on the span (a URL may carry a credential).
    expect(http.attributes['url.full']).toBe(`${target.url('/echo')}?q=REDACTED`);

    const chat = clients.find((s) => String(s.attributes['url.full']).startsWith(`${vendor.url}`) && String(s.attributes['url.full']).includes('/chat/completions'))!;
    expect(chat).toBeDefined();
    expect(chat.name).toBe('POST');
    expect(parentOf(chat)).toBe(idOf(one(trace, 'RunActivity:nodeLlm')));

    const seen = [...target.seen].reverse().find((s) => s.path === '/echo')!;
    expect(String(seen.headers.traceparent)).toContain(`-${server.spanContext().traceId}-${idOf(http)}-`);
    expect(String(vendor.chats()[0]!.headers.traceparent)).toContain(`-${server.spanContext().traceId}-${idOf(chat)}-`);
  });

  it("the traced run's history replays on a traced worker (the interceptors are deterministic)", async () => {
    const history = await h.temporal.workflow.getHandle(temporalWorkflowIdFor(run.id)).fetchHistory();
    const replayed = new InMemorySpanExporter();
    const sinks = { exporter: makeWorkflowExporter(new SimpleSpanProcessor(replayed), new Resource({})) };
    // With the harness's data converter: the history's payloads are encrypted (README "Encrypted history").
    const { dataConverter } = h.temporal.options;
    await expect(Worker.runReplayHistory({ workflowBundle: await workflowBundle({ tracing: true }), dataConverter, sinks }, history, temporalWorkflowIdFor(run.id))).resolves.toBeUndefined();
  });

  it('log lines name the request, the run and the trace', () => {
    const traceId = server.spanContext().traceId;
    const started = lines.find((l) => l.message === 'run started' && l.runId === run.id);
    expect(started).toMatchObject({ run_id: run.id, trace_id: traceId, activity: expect.any(String) });
    const finished = lines.find((l) => l.message === 'run finished' && l.runId === run.id);
    expect(finished).toMatchObject({ run_id: run.id, trace_id: traceId });
    const request = lines.find((l) => l.message === 'request' && l.method === 'POST' && String(l.path).endsWith('/runs'));
    expect(request).toMatchObject({ request_id: requestId, run_id: run.id });
  });
});

describe('run routes', () => {
  it("log lines and the request's span carry the run id from the path, and the request id", async () => {
    lines.length = 0;
    exporter.reset();
    const runId = `run_${randomUUID().replace(/-/g, '')}`;
    const r = await api('GET', `/v1/runs/${runId}`);
    expect(r.status).toBe(404);
    const request = lines.find((l) => l.message === 'request' && l.path === `/v1/runs/${runId}`);
    expect(request).toMatchObject({ request_id: r.body.request_id, run_id: runId });
    const span = await eventually(async () => exporter.getFinishedSpans().find((s) => s.kind === SpanKind.SERVER && s.attributes['weft.run_id'] === runId));
    expect(span.name).toBe('GET /v1/runs/:id');
    expect(span.attributes).toMatchObject({ 'http.response.status_code': 404, 'weft.request_id': r.body.request_id });
    expect(request?.trace_id).toBe(span.spanContext().traceId);
  });
});
