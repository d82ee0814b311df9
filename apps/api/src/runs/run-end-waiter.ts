import type { EventSubscriber, RunEventHub } from '../events/run-event-hub';

/**
 * How a blocking start learns that its run has ended, soonest: the worker publishes run.finished
 * on the run's event stream once the run's end is in PostgreSQL, a workflow task (and Temporal's
 * history long poll) before the workflow's result reaches a client. Read through the shared event
 * hub (one Redis connection for all waiters, as live events are). Best effort: the caller also
 * awaits Temporal's result, which settles runs whose end was never published (terminated ones).
 */
export class RunEndWaiter {
  constructor(private readonly hub: RunEventHub) {}

  /** Resolves when run.finished is on the run's stream, or when `signal` aborts. */
  finished(runId: string, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      let stop = () => {};
      const done = () => {
        stop();
        signal.removeEventListener('abort', done);
        resolve();
      };
      if (signal.aborted) return resolve();
      const subscriber: EventSubscriber = {
        runId,
        cursor: '0-0',
        ready: () => true,
        deliver(entries) {
          for (const e of entries) {
            subscriber.cursor = e.id;
            if (e.type === 'run.finished') return done();
          }
        },
      };
      signal.addEventListener('abort', done, { once: true });
      stop = this.hub.subscribe(subscriber);
    });
  }
}
