import { errorArea } from './error-spec';

/** Request rate limits and workspace quotas (apps/api/src/http/rate-limit.ts, apps/api/src/quotas/). */
export const LIMITS_ERRORS = errorArea({
  rate_limited: { status: 429, message: 'Too many requests {per}: at most {limit} per {window} s; try again in {retryAfter} s' },
  quota_exceeded: { status: 429, message: "The workspace's quota of {quota} is reached ({used} of {limit}){hint}" },
  quota_invalid: { status: 422, message: 'The quotas are not valid: every field is a whole number within its bounds, or null for the default' },
});
