import { parseRetryAfter } from '@weft/domain';

type HeaderSource = Headers | Record<string, string | string[] | undefined> | undefined;

function header(headers: HeaderSource, name: string): string | undefined {
  if (!headers) return undefined;
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined;
  const value = (headers as Record<string, string | string[] | undefined>)[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * The wait a response asked for, in milliseconds (the domain's one Retry-After parser: OpenAI's
 * `retry-after-ms`, else `Retry-After` as delta-seconds or an HTTP date), capped at `capMs`.
 * Headers as fetch gives them, or as a plain record with lower-case names (undici's `request`).
 */
export function retryAfterFromHeaders(headers: HeaderSource, options: { capMs: number; now?: number }): number | undefined {
  return parseRetryAfter(
    { retryAfter: header(headers, 'retry-after'), retryAfterMs: header(headers, 'retry-after-ms') },
    { now: options.now ?? Date.now(), capMs: options.capMs },
  );
}
