import { ApplicationFailure } from '@temporalio/common';

/**
 * An expected failure of a node's side effect, with a stable code. `retryable` says whether the
 * node's retry policy should try again (429, 5xx, timeouts) or give up at once (400, 401, 404,
 * a refused address, invalid code). Adapters throw it; the activity layer turns it into a
 * Temporal ApplicationFailure whose `type` is the code.
 */
export class NodeFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
    /**
     * `cause`: what went wrong underneath (a library's error, a process's stderr). The message is
     * shown to users and must stay plain; the cause only goes to the worker log.
     */
    readonly options: { retryable: boolean; retryAfterMs?: number; details?: Record<string, unknown>; cause?: unknown } = { retryable: false },
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'NodeFailure';
  }

  get retryable(): boolean {
    return this.options.retryable;
  }

  toApplicationFailure(): ApplicationFailure {
    return ApplicationFailure.create({
      type: this.code,
      message: this.message,
      nonRetryable: !this.options.retryable,
      ...(this.options.retryAfterMs !== undefined ? { nextRetryDelay: this.options.retryAfterMs } : {}),
      ...(this.options.details ? { details: [this.options.details] } : {}),
    });
  }
}
