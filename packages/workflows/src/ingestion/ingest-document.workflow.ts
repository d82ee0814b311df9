import { ActivityCancellationType, ActivityFailure, ApplicationFailure, CancellationScope, TimeoutFailure, isCancellation, proxyActivities } from '@temporalio/workflow';
import { INGESTION_SEGMENTS_PER_ACTIVITY, NON_RETRYABLE_CODES, type DocumentOutcome, type IngestDocumentInput, type IngestionActivities } from '@weft/domain';

const retry = {
  initialInterval: '1s',
  backoffCoefficient: 2,
  maximumInterval: '30s',
  // document_* codes (a corrupt or empty file) fail at once; embedding_failed and
  // vector_store_unavailable are retried (the catalogue says which is which).
  nonRetryableErrorTypes: [...NON_RETRYABLE_CODES],
};

// Every step heartbeats (a SIGKILLed worker is noticed within the heartbeat timeout, and a cancelled
// job reaches a running step through its heartbeat) and waits for a cancelled step to stop, so no
// step writes a status after the document was marked cancelled.
const steps = proxyActivities<IngestionActivities>({
  startToCloseTimeout: '15m',
  heartbeatTimeout: '30s',
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  retry: { ...retry, maximumAttempts: 6 },
});

// Recording a document's end must outlast a database blip: a document left "embedding" is the
// failure this whole design exists to prevent.
const records = proxyActivities<IngestionActivities>({
  startToCloseTimeout: '2m',
  heartbeatTimeout: '30s',
  retry: { ...retry, maximumAttempts: 20 },
});

/**
 * One document of a job: parse, clean and split (segments to PostgreSQL), embed in batches
 * (high-quality knowledge only), upsert into the vector store, then mark it completed — all in one
 * activity for a document of one range (INGESTION_SEGMENTS_PER_ACTIVITY segments) at most; a
 * longer one is embedded and indexed a range per activity, each heartbeating, then completed. Any failure
 * ends as data — the document in error with a code and message — never as a failed workflow, so
 * the job goes on. Cancelled (the job was cancelled), it marks the document `ingestion_cancelled`.
 */
export async function ingestDocumentWorkflow(input: IngestDocumentInput): Promise<DocumentOutcome> {
  const { documentId } = input;
  try {
    // Nearly every document ends inside this one activity; a longer one comes back prepared.
    const first = await steps.indexDocument(input);
    if (first.status !== 'prepared') return first;
    const count = first.segmentCount;
    if (first.indexing === 'high-quality') {
      for (let from = 0; from < count; from += INGESTION_SEGMENTS_PER_ACTIVITY) {
        await steps.embedSegments({ ...input, from, to: Math.min(count, from + INGESTION_SEGMENTS_PER_ACTIVITY) });
      }
    }
    for (let from = 0; from < count; from += INGESTION_SEGMENTS_PER_ACTIVITY) {
      await steps.indexSegments({ ...input, from, to: Math.min(count, from + INGESTION_SEGMENTS_PER_ACTIVITY) });
    }
    return await records.documentIndexed(input);
  } catch (err) {
    if (isCancellation(err)) {
      await CancellationScope.nonCancellable(() =>
        records.documentFailed({ ...input, code: 'ingestion_cancelled', message: 'The ingestion job was cancelled before this document was indexed; retry the job to index it' }),
      );
      throw err;
    }
    const { code, message } = failureOf(err);
    await records.documentFailed({ ...input, code, message });
    return { documentId, status: 'error', code, message };
  }
}

/** The code and plain message of a step that failed for good (its activity's ApplicationFailure type is the code). */
export function failureOf(err: unknown): { code: string; message: string } {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (cause instanceof ApplicationFailure && cause.type) return { code: cause.type, message: cause.message };
  if (cause instanceof TimeoutFailure) {
    const step = err instanceof ActivityFailure ? err.activityType : 'a step';
    return { code: 'internal_error', message: `Indexing stopped: ${step} did not finish in time (its worker stopped or it was too slow)` };
  }
  // Anything else is a defect; the document still ends in error rather than stuck.
  return { code: 'internal_error', message: 'Indexing stopped by an internal error' };
}
