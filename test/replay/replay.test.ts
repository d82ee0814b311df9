import fs from 'node:fs';
import path from 'node:path';
import { Resource } from '@opentelemetry/resources';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { Payload } from '@temporalio/common';
import { makeWorkflowExporter } from '@temporalio/interceptors-opentelemetry/lib/worker';
import { Worker } from '@temporalio/worker';
import { payloadDataConverter } from '@weft/activities';
import { INGESTION_JOB_WORKFLOW_TYPE, INGEST_DOCUMENT_WORKFLOW_TYPE, ingestionWorkflowIdFor, temporalWorkflowIdFor, type IngestDocumentInput, type RunWorkflowInput } from '@weft/domain';
import { workflowBundle } from '../support/harness';
import { testEnv } from '../support/test-env';

const dir = path.join(__dirname, 'histories');
const files = fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort();

interface ExportedHistory {
  events: { workflowExecutionStartedEventAttributes?: { workflowType?: { name?: string }; input?: { payloads?: { data: string }[] } } }[];
}

/**
 * The workflow id the history ran under. Replay must use it: the interpreter derives child workflow
 * ids from its own id, and a different one is (rightly) a non-determinism.
 */
function workflowIdOf(history: ExportedHistory): string {
  const payload = history.events[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
  if (!payload) throw new Error('history has no WorkflowExecutionStarted input');
  const input = JSON.parse(Buffer.from(payload.data, 'base64').toString('utf8')) as unknown;
  const type = history.events[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name;
  // Ingestion histories are recorded at a job's first attempt (test/replay/record.ingestion.ts).
  if (type === INGESTION_JOB_WORKFLOW_TYPE) return ingestionWorkflowIdFor((input as { jobId: string }).jobId, 1);
  if (type === INGEST_DOCUMENT_WORKFLOW_TYPE) return `${(input as IngestDocumentInput).attemptKey}/${(input as IngestDocumentInput).documentId}`;
  return temporalWorkflowIdFor((input as RunWorkflowInput).runId);
}

// The worker's data converter, payload codec included: histories written before the codec (these,
// in clear text) pass through it, and the same histories encrypted by it replay as well.
const dataConverter = payloadDataConverter({ WEFT_ENCRYPTION_KEY: testEnv.encryptionKey });
const codec = dataConverter.payloadCodecs[0];

const isPayloadJson = (v: unknown): v is { metadata: Record<string, string>; data?: string } =>
  v !== null && typeof v === 'object' && typeof (v as { metadata?: { encoding?: unknown } }).metadata?.encoding === 'string';

/**
 * The history as the codec would have stored it: every payload (in proto JSON) encrypted but those
 * the SDK never passes through codecs: search attributes (the server indexes them) and markers'
 * details written by the SDK's core, which has no codec (all but a local activity's result).
 */
async function encrypted(value: unknown, key = ''): Promise<unknown> {
  if (key === 'searchAttributes' || key === 'upsertWorkflowSearchAttributesEventAttributes') return value;
  if (isPayloadJson(value)) {
    const payload: Payload = {
      metadata: Object.fromEntries(Object.entries(value.metadata).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
      data: Buffer.from(value.data ?? '', 'base64'),
    };
    const [out] = await codec.encode([payload]);
    return { metadata: Object.fromEntries(Object.entries(out!.metadata!).map(([k, v]) => [k, Buffer.from(v).toString('base64')])), data: Buffer.from(out!.data!).toString('base64') };
  }
  if (Array.isArray(value)) return Promise.all(value.map((v) => encrypted(v, key)));
  if (value !== null && typeof value === 'object') {
    const marker = (value as { markerName?: unknown }).markerName;
    return Object.fromEntries(
      await Promise.all(Object.entries(value).map(async ([k, v]) => [k, marker !== undefined && k === 'details' ? await encryptedMarker(marker, v) : await encrypted(v, k)] as const)),
    );
  }
  return value;
}

async function encryptedMarker(name: unknown, details: unknown): Promise<unknown> {
  const { result, ...rest } = details as Record<string, unknown>;
  return name === 'core_local_activity' && result !== undefined ? { ...rest, result: await encrypted(result) } : details;
}

/**
 * Committed histories of representative runs, replayed against today's workflow code: a change
 * that would break running workflows (a non-determinism) fails here. Re-record them only for a
 * deliberate, patched() change: `npm run replay:record`.
 */
describe('replay of committed histories', () => {
  it('has histories to replay', () => {
    expect(files.length).toBeGreaterThanOrEqual(8);
  });

  it.each(files)('%s replays without a determinism violation', async (file) => {
    const history = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as ExportedHistory;
    await expect(
      Worker.runReplayHistory({ workflowBundle: await workflowBundle(), dataConverter, replayName: file }, history, workflowIdOf(history)),
    ).resolves.toBeUndefined();
  });

  it.each(files)('%s replays once its payloads are encrypted by the codec', async (file) => {
    const history = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as ExportedHistory;
    const sealed = (await encrypted(history)) as ExportedHistory;
    const input = (h: ExportedHistory) => h.events[0]!.workflowExecutionStartedEventAttributes!.input!.payloads![0] as unknown as { metadata: { encoding: string } };
    expect(Buffer.from(input(history).metadata.encoding, 'base64').toString()).toBe('json/plain');
    expect(Buffer.from(input(sealed).metadata.encoding, 'base64').toString()).toBe('binary/encrypted');
    await expect(
      Worker.runReplayHistory({ workflowBundle: await workflowBundle(), dataConverter, replayName: `${file} (encrypted)` }, sealed, workflowIdOf(history)),
    ).resolves.toBeUndefined();
  });

  // Turning tracing on (OTEL_EXPORTER_OTLP_ENDPOINT) must not break runs already in flight: their
  // histories, recorded without the interceptors, replay on a traced worker's bundle too.
  it.each(files)('%s replays on a traced worker', async (file) => {
    const history = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as ExportedHistory;
    const exporter = new InMemorySpanExporter();
    const sinks = { exporter: makeWorkflowExporter(new SimpleSpanProcessor(exporter), new Resource({})) };
    await expect(
      Worker.runReplayHistory({ workflowBundle: await workflowBundle({ tracing: true }), dataConverter, sinks, replayName: file }, history, workflowIdOf(history)),
    ).resolves.toBeUndefined();
    // A replay exports nothing: the SDK does not call sinks while replaying.
    expect(exporter.getFinishedSpans()).toEqual([]);
  });
});
