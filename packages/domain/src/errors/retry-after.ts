/** The headers that say how long to wait, as an HTTP client or the openai SDK hands them over. */
export interface RetryAfterHeaders {
  /** `Retry-After`: delta-seconds or an HTTP date */
  retryAfter?: string | null;
  /** OpenAI's `retry-after-ms`: milliseconds, fractions allowed */
  retryAfterMs?: string | null;
}

const DELTA_SECONDS = /^\d+(?:\.\d+)?$/;

/**
 * How long a server asked us to wait, in milliseconds: `retry-after-ms` when it is a number, else
 * `Retry-After` as delta-seconds or an HTTP date (relative to `now`, passed in: the domain reads no
 * clock). Capped at `capMs`, so a hostile or confused server cannot park a run for days. Undefined
 * when absent, unreadable, or zero and below: the node's retry policy then sets the delay (Temporal
 * takes a zero next-retry delay as no retry at all).
 */
export function parseRetryAfter(headers: RetryAfterHeaders, options: { now: number; capMs: number }): number | undefined {
  const ms = headers.retryAfterMs?.trim();
  let wait: number | undefined = ms && DELTA_SECONDS.test(ms) ? Number(ms) : undefined;
  const header = headers.retryAfter?.trim();
  if (wait === undefined && header) {
    if (DELTA_SECONDS.test(header)) wait = Number(header) * 1000;
    else {
      const at = Date.parse(header);
      if (!Number.isNaN(at)) wait = at - options.now;
    }
  }
  if (wait === undefined || !Number.isFinite(wait)) return undefined;
  const rounded = Math.round(wait);
  return rounded > 0 ? Math.min(rounded, options.capMs) : undefined;
}
