import fs from 'node:fs';
import path from 'node:path';
import { Resource } from '@opentelemetry/resources';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { makeWorkflowExporter } from '@temporalio/interceptors-opentelemetry/lib/worker';
import { Worker } from '@temporalio/worker';
import { INGESTION_JOB_WORKFLOW_TYPE, INGEST_DOCUMENT_WORKFLOW_TYPE, ingestionWorkflowIdFor, temporalWorkflowIdFor, type IngestDocumentInput, type RunWorkflowInput } from '@weft/domain';
import { workflowBundle } from '../support/harness';

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
      Worker.runReplayHistory({ workflowBundle: await workflowBundle(), replayName: file }, history, workflowIdOf(history)),
    ).resolves.toBeUndefined();
  });

  // Turning tracing on (OTEL_EXPORTER_OTLP_ENDPOINT) must not break runs already in flight: their
  // histories, recorded without the interceptors, replay on a traced worker's bundle too.
  it.each(files)('%s replays on a traced worker', async (file) => {
    const history = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as ExportedHistory;
    const exporter = new InMemorySpanExporter();
    const sinks = { exporter: makeWorkflowExporter(new SimpleSpanProcessor(exporter), new Resource({})) };
    await expect(
      Worker.runReplayHistory({ workflowBundle: await workflowBundle({ tracing: true }), sinks, replayName: file }, history, workflowIdOf(history)),
    ).resolves.toBeUndefined();
    // A replay exports nothing: the SDK does not call sinks while replaying.
    expect(exporter.getFinishedSpans()).toEqual([]);
  });
});
