import { ApplicationFailure } from '@temporalio/common';
import { describe, isRetryable, type ActivityErrorCode, type ErrorParams } from '@weft/domain';

export interface NodeFailureOptions {
  /** the server's own Retry-After, as the next retry's delay */
  retryAfterMs?: number;
  details?: Record<string, unknown>;
  /**
   * What went wrong underneath (a library's error, a process's stderr). The message is shown to
   * users and must stay plain; the cause only goes to the worker log.
   */
  cause?: unknown;
}

/**
 * An expected failure of a node's side effect, with a stable code from the error catalogue, which
 * also says whether the node's retry policy tries again (429, 5xx, timeouts) or the node gives up
 * at once (400, 401, 404, a refused address, invalid code). Adapters throw it; the activity layer
 * turns it into a Temporal ApplicationFailure whose `type` is the code.
 *
 * The message is either the code's template filled with `params`, or, where one code covers
 * several situations (a vendor's own words, the sandbox's report), the plain text given.
 */
export class NodeFailure<C extends ActivityErrorCode = ActivityErrorCode> extends Error {
  constructor(
    readonly code: C,
    message: string | ErrorParams<C>,
    readonly options: NodeFailureOptions = {},
  ) {
    super(typeof message === 'string' ? message : describe(code, message), options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'NodeFailure';
  }

  get retryable(): boolean {
    return isRetryable(this.code);
  }

  toApplicationFailure(): ApplicationFailure {
    return ApplicationFailure.create({
      type: this.code,
      message: this.message,
      nonRetryable: !this.retryable,
      ...(this.options.retryAfterMs !== undefined ? { nextRetryDelay: this.options.retryAfterMs } : {}),
      ...(this.options.details ? { details: [this.options.details] } : {}),
    });
  }
}
