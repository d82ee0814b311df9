/**
 * The two ways the ingestion benchmark indexes a corpus, over one set of activities (the same
 * parser pool, embedder, Milvus client and database pool):
 *  - `viaTemporal`: the real path. A job workflow starts a child workflow per document, at most
 *    `concurrency` at once, and the activities run on a Temporal Worker polling the job's task queue.
 *  - `direct`: the same activities called in the order the document workflow calls them, at most
 *    `concurrency` documents at once, in this process with no Temporal at all (each call in a mock
 *    activity context, which is what the activities' heartbeat and cancellation read).
 * The difference between the two is what Temporal's orchestration costs.
 */
import type { Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { INGESTION_SEGMENTS_PER_ACTIVITY, type DocumentStep, type IngestionActivities, type IngestionJobResult } from '@weft/domain';
import { startJob, type JobRef } from '../test/support/ingestion-fixtures';
import { pool } from './bench-processes';

const quiet = new DefaultLogger('ERROR');

/** One activity call outside Temporal, in a context of its own. */
function call<I, O>(activity: (input: I) => Promise<O>, input: I): Promise<O> {
  return new MockActivityEnvironment(undefined, { logger: quiet }).run(activity, input);
}

export async function viaTemporal(temporal: Client, taskQueue: string, job: JobRef, documentIds: string[], concurrency: number): Promise<IngestionJobResult> {
  const handle = await startJob(temporal, taskQueue, job, documentIds, { concurrency });
  return handle.result();
}

export async function direct(activities: IngestionActivities, job: JobRef, documentIds: string[], concurrency: number): Promise<IngestionJobResult> {
  const attemptKey = `direct-${job.jobId}`;
  await call(activities.ingestionJobStarted, { jobId: job.jobId, tenantId: job.tenantId, attemptKey, documentIds });
  await pool(documentIds, concurrency, (documentId) => ingestDocument(activities, { ...job, documentId, attemptKey }));
  return call(activities.ingestionJobFinished, { jobId: job.jobId, tenantId: job.tenantId, attemptKey, cancelled: false });
}

/** ingestDocumentWorkflow's steps, in its order, without its retries (the benchmark's documents do not fail). */
async function ingestDocument(activities: IngestionActivities, step: DocumentStep): Promise<void> {
  try {
    const first = await call(activities.indexDocument, step);
    if (first.status !== 'prepared') return;
    const count = first.segmentCount;
    const ranges = Array.from({ length: Math.ceil(count / INGESTION_SEGMENTS_PER_ACTIVITY) }, (_, i) => ({
      from: i * INGESTION_SEGMENTS_PER_ACTIVITY,
      to: Math.min(count, (i + 1) * INGESTION_SEGMENTS_PER_ACTIVITY),
    }));
    if (first.indexing === 'high-quality') for (const range of ranges) await call(activities.embedSegments, { ...step, ...range });
    for (const range of ranges) await call(activities.indexSegments, { ...step, ...range });
    await call(activities.documentIndexed, step);
  } catch (err) {
    const code = err instanceof ApplicationFailure && err.type ? err.type : 'internal_error';
    await call(activities.documentFailed, { ...step, code, message: err instanceof Error ? err.message : String(err) });
  }
}
