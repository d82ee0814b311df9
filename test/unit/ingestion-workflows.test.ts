import { randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import { Connection, WorkflowClient } from '@temporalio/client';
import { InternalConnectionOptionsSymbol, type InternalConnectionOptions } from '@temporalio/client/lib/connection';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import {
  INGESTION_JOB_WORKFLOW_TYPE,
  ingestionWorkflowIdFor,
  type DocumentStep,
  type IngestionActivities,
  type IngestionJobInput,
  type IngestionJobResult,
} from '@weft/domain';

try {
  Runtime.install({ logger: new DefaultLogger('ERROR'), telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' }, forward: {} } } });
} catch {
  // installed already by an earlier file in this process
}

/**
 * The ingestion workflows' own logic on the time-skipping server, with the activity port faked by
 * an in-memory document table (the real activities, PostgreSQL and the vector store are exercised
 * in test/knowledge/ingestion.test.ts): the sliding window never exceeds the job's concurrency, a
 * document's failure never fails the job, every document ends, and a cancelled job cancels its
 * children and marks what it had not indexed.
 */
class FakeIngestion {
  status = new Map<string, { status: string; code?: string }>();
  inFlight = 0;
  maxInFlight = 0;
  steps: string[] = [];
  failing = new Map<string, { code: string; retryable: boolean; times?: number }>();
  /** ms each prepare takes (real time: lets a cancel land while documents are in flight) */
  prepareMs = 0;
  /** Documents long enough for the range steps (three ranges); the rest are indexed within indexDocument. */
  long = /0$/;
  jobStatus: string | undefined;

  readonly activities: IngestionActivities = {
    ingestionJobStarted: async ({ documentIds }) => {
      for (const id of documentIds) this.status.set(id, { status: 'queued' });
    },
    ingestionJobFinished: async ({ cancelled }) => {
      if (cancelled) for (const [id, s] of this.status) if (!['completed', 'error'].includes(s.status)) this.status.set(id, { status: 'error', code: 'ingestion_cancelled' });
      const all = [...this.status.values()];
      const counts = { total: all.length, succeeded: all.filter((s) => s.status === 'completed').length, failed: all.filter((s) => s.status === 'error').length };
      this.jobStatus = cancelled ? 'cancelled' : counts.failed > 0 ? 'completed-with-errors' : 'completed';
      return { status: this.jobStatus as IngestionJobResult['status'], ...counts };
    },
    indexDocument: async (step) => {
      this.enter(step, 'prepare');
      try {
        if (this.prepareMs) await new Promise((r) => setTimeout(r, this.prepareMs));
        const failure = this.failing.get(step.documentId);
        if (failure && (failure.times === undefined || failure.times-- > 0)) {
          throw ApplicationFailure.create({ type: failure.code, message: `${step.documentId} failed`, nonRetryable: !failure.retryable });
        }
        if (!this.long.test(step.documentId)) {
          this.status.set(step.documentId, { status: 'completed' });
          return { documentId: step.documentId, status: 'completed', segmentCount: 3, tokenCount: 40 };
        }
        this.status.set(step.documentId, { status: 'splitting' });
        return { documentId: step.documentId, status: 'prepared', segmentCount: 1030, indexing: 'high-quality' };
      } finally {
        this.inFlight--;
      }
    },
    embedSegments: async (step) => void this.steps.push(`embed:${step.documentId}:${step.from}-${step.to}`),
    indexSegments: async (step) => void this.steps.push(`index:${step.documentId}:${step.from}-${step.to}`),
    documentIndexed: async (step) => {
      this.status.set(step.documentId, { status: 'completed' });
      return { documentId: step.documentId, status: 'completed', segmentCount: 1030, tokenCount: 5000 };
    },
    documentFailed: async (step) => {
      this.status.set(step.documentId, { status: 'error', code: step.code });
    },
  };

  private enter(step: DocumentStep, what: string) {
    this.steps.push(`${what}:${step.documentId}`);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
  }
}

const fakes = new FakeIngestion();
const taskQueue = `unit-ingestion-${randomUUID().slice(0, 8)}`;
let client: WorkflowClient;
let connection: Connection;
let native: NativeConnection;
let worker: Worker;
let running: Promise<void>;

beforeAll(async () => {
  const address = process.env.WEFT_UNIT_TEMPORAL_ADDRESS;
  const codePath = process.env.WEFT_UNIT_WORKFLOW_BUNDLE;
  if (!address || !codePath) throw new Error('The unit tier runs under its Jest project (globalSetup starts the test server): npm run test:unit');
  const options: InternalConnectionOptions = { address, [InternalConnectionOptionsSymbol]: { supportsTestService: true } };
  connection = await Connection.connect(options);
  client = new WorkflowClient({ connection });
  native = await NativeConnection.connect({ address });
  worker = await Worker.create({ connection: native, taskQueue, workflowBundle: { codePath }, activities: fakes.activities, maxConcurrentActivityTaskExecutions: 100 });
  running = worker.run();
});

afterAll(async () => {
  if (worker?.getState() === 'RUNNING') worker.shutdown();
  await running;
  await native?.close();
  await connection?.close();
});

const job = (documentIds: string[], concurrency: number): IngestionJobInput => ({ jobId: `job_${randomUUID().slice(0, 8)}`, tenantId: 'acme', knowledgeId: 'kn_1', documentIds, concurrency });

describe('ingestion workflows', () => {
  it('indexes every document at most `concurrency` at once; failures end as documents in error, the job completed-with-errors', async () => {
    const ids = Array.from({ length: 30 }, (_, i) => `doc_${i}`);
    fakes.prepareMs = 20;
    fakes.failing.set('doc_3', { code: 'document_unreadable', retryable: false });
    fakes.failing.set('doc_17', { code: 'document_empty', retryable: false });
    // A retryable failure is tried again and the document still completes.
    fakes.failing.set('doc_9', { code: 'embedding_failed', retryable: true, times: 1 });
    const input = job(ids, 4);
    const result = await client.execute<(i: IngestionJobInput) => Promise<IngestionJobResult>>(INGESTION_JOB_WORKFLOW_TYPE, {
      taskQueue,
      workflowId: ingestionWorkflowIdFor(input.jobId, 1),
      args: [input],
    });
    expect(result).toEqual({ status: 'completed-with-errors', total: 30, succeeded: 28, failed: 2 });
    expect(fakes.status.get('doc_3')).toEqual({ status: 'error', code: 'document_unreadable' });
    expect(fakes.status.get('doc_17')).toEqual({ status: 'error', code: 'document_empty' });
    expect(fakes.status.get('doc_9')).toEqual({ status: 'completed' });
    expect(fakes.maxInFlight).toBeLessThanOrEqual(4);
    expect(fakes.maxInFlight).toBeGreaterThan(1);
    // 1,030 segments: embedded and indexed in ranges of 512, only ids crossing Temporal.
    expect(fakes.steps.filter((s) => s.startsWith('embed:doc_0:'))).toEqual(['embed:doc_0:0-512', 'embed:doc_0:512-1024', 'embed:doc_0:1024-1030']);
    expect(fakes.steps.filter((s) => s.startsWith('index:doc_0:'))).toEqual(['index:doc_0:0-512', 'index:doc_0:512-1024', 'index:doc_0:1024-1030']);
    // A short document is indexed and completed inside its one activity: no range steps.
    expect(fakes.steps.filter((s) => s.includes(':doc_1:') || s.endsWith(':doc_1'))).toEqual(['prepare:doc_1']);
    expect(fakes.status.get('doc_1')).toEqual({ status: 'completed' });
    // The children were named after the job's attempt and the document.
    const child = client.getHandle(`${ingestionWorkflowIdFor(input.jobId, 1)}/doc_5`);
    expect((await child.describe()).status.name).toBe('COMPLETED');
  });

  it('a cancelled job cancels its children and marks every document it had not indexed ingestion_cancelled', async () => {
    fakes.status.clear();
    fakes.failing.clear();
    fakes.prepareMs = 300;
    // Short documents only: the cancel lands in their one activity. (The time-skipping server
    // refuses the cancel of an activity scheduled but not yet started, ACTIVITY_UNKNOWN, and with
    // its clock locked the failed workflow task is never retried; the dev server has no such gap.)
    fakes.long = /^$/;
    const ids = Array.from({ length: 12 }, (_, i) => `doc_c${i}`);
    const input = job(ids, 3);
    const handle = await client.start<(i: IngestionJobInput) => Promise<IngestionJobResult>>(INGESTION_JOB_WORKFLOW_TYPE, {
      taskQueue,
      workflowId: ingestionWorkflowIdFor(input.jobId, 1),
      args: [input],
    });
    // Wait (real time) until a first document is through, then cancel with others in flight.
    for (let i = 0; i < 200 && ![...fakes.status.values()].some((s) => s.status === 'completed'); i++) await new Promise((r) => setTimeout(r, 50));
    await handle.cancel();
    const result = await handle.result();
    expect(result.status).toBe('cancelled');
    const statuses = ids.map((id) => fakes.status.get(id)!);
    expect(statuses.every((s) => s.status === 'completed' || (s.status === 'error' && s.code === 'ingestion_cancelled'))).toBe(true);
    expect(statuses.filter((s) => s.status === 'completed').length).toBeGreaterThanOrEqual(1);
    expect(statuses.filter((s) => s.code === 'ingestion_cancelled').length).toBeGreaterThanOrEqual(1);
    expect(result).toMatchObject({ total: 12, succeeded: statuses.filter((s) => s.status === 'completed').length });
  });
});
