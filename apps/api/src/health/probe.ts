import { z } from 'zod';
import { sanitizeErrorMessage } from '@weft/domain';

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
    // The probes answer without authentication: plain words only.
    return { status: 'down', error: sanitizeErrorMessage(err instanceof Error ? err.message : String(err), 'unreachable') };
  } finally {
    clearTimeout(timer);
  }
}
