import { Context } from '@temporalio/activity';
import { ActivityCancellationDetails } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { cancelledByWorkerShutdown, workerShutdownFailure } from './worker-shutdown';

/** Runs an attempt that waits for its cancellation, cancels it with `reason`, and says how it reads it. */
async function cancelledWith(reason: 'WORKER_SHUTDOWN' | 'CANCELLED' | 'TIMED_OUT', details?: ActivityCancellationDetails): Promise<boolean> {
  const env = new MockActivityEnvironment();
  const attempt = env.run(async (): Promise<boolean> => {
    const ctx = Context.current();
    await new Promise((resolve) => ctx.cancellationSignal.addEventListener('abort', resolve));
    return cancelledByWorkerShutdown(ctx);
  });
  env.cancel(reason, details);
  return attempt;
}

describe('an attempt cut by its worker shutting down', () => {
  it('is told from a cancelled run or a timeout', async () => {
    expect(await cancelledWith('WORKER_SHUTDOWN')).toBe(true);
    expect(await cancelledWith('WORKER_SHUTDOWN', new ActivityCancellationDetails({ workerShutdown: true }))).toBe(true);
    expect(await cancelledWith('CANCELLED', new ActivityCancellationDetails({ cancelRequested: true }))).toBe(false);
    expect(await cancelledWith('TIMED_OUT', new ActivityCancellationDetails({ timedOut: true }))).toBe(false);
    // Not cancelled at all.
    expect(await new MockActivityEnvironment().run(async () => cancelledByWorkerShutdown(Context.current()))).toBe(false);
  });

  it('fails with the retryable worker_shutdown, whatever the executor made of the abort', () => {
    const failure = workerShutdownFailure();
    expect(failure).toMatchObject({ type: 'worker_shutdown', nonRetryable: false });
    expect(failure.message).toMatch(/shut down before it finished/);
  });
});
