import { z } from 'zod';
import { toPublicError } from '@weft/domain';

export type Check = () => Promise<unknown>;

export const DEPENDENCIES = ['postgres', 'redis', 'temporal', 'milvus'] as const;
export type Dependency = (typeof DEPENDENCIES)[number];

export const checkResultSchema = z.union([z.object({ status: z.literal('up') }), z.object({ status: z.literal('down'), error: z.string() })]);
export type CheckResult = z.infer<typeof checkResultSchema>;

/** How long a probe waits for a dependency's answer. */
export const CHECK_TIMEOUT_MS = 2_000;

/** Runs one check, bounded by CHECK_TIMEOUT_MS; a failure is `down` with a plain, sanitized reason. */
export async function probe(check: Check): Promise<CheckResult> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS))),
    ]);
    return { status: 'up' };
  } catch (err) {
    return { status: 'down', error: probeFailureReason(err) };
  } finally {
    clearTimeout(timer);
  }
}

/** What an error of a driver says of its kind, in the words a probe answers with. */
const REASONS: readonly [RegExp, string][] = [
  [/ECONNREFUSED|connection refused/i, 'connection refused'],
  [/ENOTFOUND|EAI_AGAIN|getaddrinfo|could not resolve/i, 'host not found'],
  [/ETIMEDOUT|DEADLINE_EXCEEDED|timed? ?out/i, 'timed out'],
  [/ECONNRESET|EPIPE|socket hang up|connection (?:is )?closed|connection lost/i, 'connection lost'],
  [/NOAUTH|WRONGPASS|authentication|password|permission denied|PERMISSION_DENIED|UNAUTHENTICATED/i, 'authentication failed'],
  [/certificate|TLS|SSL/i, 'TLS failed'],
];

/**
 * Why a probe failed, as the health routes answer it to anyone (no key): the kind of failure and
 * never the driver's own text, which names internal addresses, host names and ports (`connect
 * ECONNREFUSED 10.0.3.7:5432`, `Can't reach database server at db.internal:5432`, gRPC's
 * `remote_addr=…`) that a sanitizer keeps as plain words. Messages Weft wrote for anyone (an error
 * of the catalogue, the probe's own timeout) are kept.
 */
export function probeFailureReason(err: unknown): string {
  if (err instanceof Error && err.message.startsWith('no answer within')) return err.message;
  // An error of Weft's catalogue (the vector store's `vector_store_unavailable`) was written for anyone.
  const known = toPublicError(err);
  if (known && known.code !== 'internal_error') return known.message;
  const text = err instanceof Error ? `${String((err as NodeJS.ErrnoException).code ?? '')} ${err.message}` : String(err);
  return REASONS.find(([pattern]) => pattern.test(text))?.[1] ?? 'unreachable';
}
