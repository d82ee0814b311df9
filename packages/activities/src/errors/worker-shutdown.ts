import type { Context } from '@temporalio/activity';
import { CancelledFailure, type ApplicationFailure } from '@temporalio/common';
import { NodeFailure } from './node-failure';

/**
 * Whether this attempt was cancelled because its worker is shutting down (SIGTERM, and the
 * worker's grace ran out before the attempt finished), rather than because its run was cancelled.
 * The SDK cancels such attempts with the reason WORKER_SHUTDOWN; the server never asked for it.
 */
export function cancelledByWorkerShutdown(ctx: Context): boolean {
  if (!ctx.cancellationSignal.aborted) return false;
  if (ctx.cancellationDetails?.workerShutdown) return true;
  const reason: unknown = ctx.cancellationSignal.reason;
  return reason instanceof CancelledFailure && reason.message === 'WORKER_SHUTDOWN';
}

/**
 * The failure such an attempt ends with: retryable whatever the executor made of the abort
 * (`code_cancelled` and `llm_cancelled` are not, since they mean a cancelled run), so the server
 * schedules the next attempt at once for another worker. A cancellation reported as such would
 * be refused by the server (nothing asked for it) and the attempt would wait for its heartbeat
 * timeout instead.
 */
export function workerShutdownFailure(): ApplicationFailure {
  return new NodeFailure('worker_shutdown', {}).toApplicationFailure();
}
