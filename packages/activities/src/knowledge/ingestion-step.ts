import { Context } from '@temporalio/activity';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { describe, errorSpec, isErrorCode } from '@weft/domain';
import { NodeFailure } from '../errors/node-failure';
import { cancelledByWorkerShutdown, workerShutdownFailure } from '../errors/worker-shutdown';
import { INTERNAL_ERROR, errorReference } from '../nodes/node-activities';
import type { Logger } from '../observability/logger';

/** Well inside the ingestion workflows' heartbeat timeout (30 s). */
const HEARTBEAT_EVERY_MS = 2_000;

/**
 * Runs one ingestion step as an activity: heartbeats while it runs (a killed worker is noticed
 * within the heartbeat timeout, and a cancelled job reaches the step through its heartbeat), stops
 * at the next check once cancelled, and turns failures into ApplicationFailures whose type is the
 * code: a coded failure keeps its code and plain message (the catalogue says whether it retries);
 * anything else (a database error, a bug) may quote internals, so it becomes `internal_error` with
 * a reference, and the details go to the worker log.
 */
export function ingestionStep<I extends { documentId?: string; jobId: string }, O>(
  logger: Logger,
  name: string,
  run: (input: I, signal: AbortSignal) => Promise<O>,
): (input: I) => Promise<O> {
  return async (input) => {
    const ctx = Context.current();
    const beat = setInterval(() => ctx.heartbeat(), HEARTBEAT_EVERY_MS);
    try {
      return await run(input, ctx.cancellationSignal);
    } catch (err) {
      // A draining worker's cut step is retried elsewhere at once; a cancelled job's step is cancelled.
      if (cancelledByWorkerShutdown(ctx)) throw workerShutdownFailure();
      if (ctx.cancellationSignal.aborted) throw new CancelledFailure(`${name} was cancelled`);
      throw toFailure(err, logger, { step: name, jobId: input.jobId, documentId: input.documentId, attempt: ctx.info.attempt });
    } finally {
      clearInterval(beat);
    }
  };
}

/** Throws once the step was cancelled: long steps call it between batches. */
export function checkCancelled(signal: AbortSignal): void {
  if (signal.aborted) throw new CancelledFailure('cancelled');
}

function toFailure(err: unknown, logger: Logger, where: Record<string, unknown>): ApplicationFailure {
  if (err instanceof NodeFailure) {
    if (err.cause !== undefined) logger.warn('ingestion step failure cause', { ...where, code: err.code, cause: String(err.cause) });
    return err.toApplicationFailure();
  }
  // Parsers may throw their own coded errors; a code the catalogue knows keeps its meaning.
  const code = (err as { code?: unknown } | null)?.code;
  if (err instanceof Error && isErrorCode(code)) {
    const spec = errorSpec(code);
    if ('retryable' in spec) return ApplicationFailure.create({ type: code, message: err.message, nonRetryable: spec.retryable !== true });
  }
  const reference = errorReference();
  logger.error('ingestion step stopped by an internal error', { ...where, reference, error: err instanceof Error ? { message: err.message, stack: err.stack } : String(err) });
  return ApplicationFailure.create({ type: INTERNAL_ERROR, message: describe(INTERNAL_ERROR, { what: 'this document', ref: reference }) });
}
