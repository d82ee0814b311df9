import { DomainError, describe } from '@weft/domain';
import { QUOTA_NAMES, type WorkQuota } from './quota-fields';

/**
 * Work refused where it starts because a workspace quota is reached (429; nothing was created or
 * started). `retryAfter` (seconds, also sent as Retry-After) when waiting helps: until the next UTC
 * day or month for the quotas counted by them, a hint for concurrent runs (a slot frees when a run
 * ends); none for stored documents, which only deleting frees.
 */
export class QuotaExceededError extends DomainError {
  readonly code = 'quota_exceeded';
  readonly retryAfter: number | undefined;
  constructor(quota: WorkQuota, limit: number, used: number, more: { adding?: number; retryAfter?: number } = {}) {
    const { adding, retryAfter } = more;
    const hint = adding !== undefined ? `; this upload adds ${adding}` : quota === 'concurrentRuns' ? '; wait for a run to end' : '';
    super(describe('quota_exceeded', { quota: QUOTA_NAMES[quota], limit, used, hint }), {
      quota,
      limit,
      used,
      ...(adding !== undefined ? { adding } : {}),
      ...(retryAfter !== undefined ? { retryAfter } : {}),
    });
    this.retryAfter = retryAfter;
  }
}

/** Too many requests in the rate limit's window (429, with Retry-After). */
export class RateLimitedError extends DomainError {
  readonly code = 'rate_limited';
  constructor(per: 'key' | 'account' | 'workspace' | 'address', limit: number, windowSeconds: number, retryAfter: number) {
    const said = per === 'key' ? 'for this API key' : per === 'account' ? 'for this account' : per === 'address' ? 'from this address' : 'for this workspace';
    super(describe('rate_limited', { per: said, limit, window: windowSeconds, retryAfter }), { per, limit, windowSeconds, retryAfter });
  }
}
