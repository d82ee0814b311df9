import {
  CancellationScope,
  ChildWorkflowCancellationType,
  ChildWorkflowFailure,
  TerminatedFailure,
  ParentClosePolicy,
  continueAsNew,
  isCancellation,
  log,
  proxyActivities,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import { NON_RETRYABLE_CODES, type IngestionActivities, type IngestionJobInput, type IngestionJobResult } from '@weft/domain';
import { failureOf, ingestDocumentWorkflow } from './ingest-document.workflow';

// The job's own start and end wait out a database outage (no attempt limit): a job whose workflow
// failed would stay "running" for ever in the API.
const jobRecords = proxyActivities<IngestionActivities>({
  startToCloseTimeout: '2m',
  heartbeatTimeout: '30s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m', nonRetryableErrorTypes: [...NON_RETRYABLE_CODES] },
});

/** Child workflows in flight at most, whatever a job asks for. */
export const MAX_INGESTION_CONCURRENCY = 50;
/**
 * A run of the job workflow stops starting documents past this many history events (or when the
 * server suggests it) and continues as new once those in flight have ended: each document costs the
 * parent about ten events, so a run stays far below the server's 10,240-event warning whatever the
 * batch size, and at most MAX_INGESTION_CONCURRENCY documents finish after the mark.
 */
export const INGESTION_HISTORY_MARK = 4_000;

/** What a job carries into its next run when it continues as new: `documentIds` then holds only those not started yet. */
export interface IngestionJobContinuation {
  runs: number;
}

export type IngestionJobWorkflowInput = IngestionJobInput & { continuation?: IngestionJobContinuation };

/**
 * One attempt of an ingestion job: a child workflow per document, at most `concurrency` at once (a
 * sliding window: one ends, the next starts). A document's failure is recorded on it and never
 * fails the job; the job ends completed, completed-with-errors or — cancelled — cancelled, with the
 * documents it had not indexed marked `ingestion_cancelled` (a retry picks them up).
 *
 * Children are named `<job workflow id>/<document id>`: unique per attempt, the same on replay. They
 * run on the job's own task queue, and the parent-close policy asks them to cancel, so a job that is
 * terminated still leaves no document "indexing".
 */
export async function ingestionJobWorkflow(input: IngestionJobWorkflowInput): Promise<IngestionJobResult> {
  const { jobId, tenantId, knowledgeId } = input;
  const attemptKey = workflowInfo().workflowId;
  const pending = [...new Set(input.documentIds)];
  const concurrency = Math.max(1, Math.min(MAX_INGESTION_CONCURRENCY, Math.floor(input.concurrency) || 1));
  const root = CancellationScope.current();
  try {
    if (!input.continuation) await jobRecords.ingestionJobStarted({ jobId, tenantId, attemptKey, documentIds: pending });
  } catch (err) {
    // Cancelled before it began: it ends cancelled below, like any other.
    if (!isCancellation(err)) throw err;
  }

  const inFlight = new Map<string, Promise<void>>();
  let next = 0;
  const historyFull = () => {
    const info = workflowInfo();
    return info.continueAsNewSuggested || info.historyLength >= INGESTION_HISTORY_MARK;
  };

  const start = (documentId: string) => {
    const step = { jobId, tenantId, knowledgeId, documentId, attemptKey };
    const done = runChild(step).finally(() => inFlight.delete(documentId));
    inFlight.set(documentId, done);
  };

  let full = false;
  while (!root.consideredCancelled) {
    full = full || historyFull();
    while (!full && !root.consideredCancelled && inFlight.size < concurrency && next < pending.length) start(pending[next++]!);
    if (inFlight.size === 0) break;
    await Promise.race(inFlight.values());
  }
  // Cancelled: the children got the request with the scope; wait until each has marked its document.
  while (inFlight.size > 0) await Promise.race(inFlight.values());

  if (!root.consideredCancelled && next < pending.length) {
    return continueAsNew<typeof ingestionJobWorkflow>({
      ...input,
      documentIds: pending.slice(next),
      continuation: { runs: (input.continuation?.runs ?? 0) + 1 },
    });
  }
  const cancelled = root.consideredCancelled;
  return CancellationScope.nonCancellable(() => jobRecords.ingestionJobFinished({ jobId, tenantId, attemptKey, cancelled }));
}

/**
 * Runs a document's child to its end. The child turns every failure of its own into a document in
 * error; a child that failed anyway (terminated by hand, a defect) has its document marked here.
 */
async function runChild(step: { jobId: string; tenantId: string; knowledgeId: string; documentId: string; attemptKey: string }): Promise<void> {
  try {
    const child = await startChild(ingestDocumentWorkflow, {
      workflowId: `${step.attemptKey}/${step.documentId}`,
      args: [step],
      parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
      cancellationType: ChildWorkflowCancellationType.WAIT_CANCELLATION_COMPLETED,
    });
    await child.result();
  } catch (err) {
    if (isCancellation(err)) return;
    const { code, message } =
      err instanceof ChildWorkflowFailure && err.cause instanceof TerminatedFailure
        ? { code: 'internal_error', message: 'Indexing of this document was stopped: its workflow was terminated' }
        : failureOf(err);
    log.warn('an ingestion child ended without recording its document', { ...step, code });
    try {
      await CancellationScope.nonCancellable(() => jobRecords.documentFailed({ ...step, code, message }));
    } catch (recordErr) {
      // The job still ends; ingestionJobFinished counts from PostgreSQL.
      log.error('a document failure could not be recorded', { ...step, error: String(recordErr) });
    }
  }
}
