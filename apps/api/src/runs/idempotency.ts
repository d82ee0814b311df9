import { createHash } from 'node:crypto';
import type { Prisma, PrismaClient, Run } from '@weft/activities';
import { ValidationFailedError } from '@weft/domain';

/** What makes two start requests "the same request" for an Idempotency-Key. */
export interface IdempotentRequest {
  inputs: Record<string, unknown>;
  version?: number | 'draft';
}

/**
 * JSON with object keys sorted, so `{a, b}` and `{b, a}` are the same request. (Request bodies are
 * depth-checked at the edge, so this recursion is bounded.)
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, (v as Record<string, unknown>)[k]]))
      : v,
  );
}

/** sha256 of the workflow, the requested version (not the one it resolved to) and the inputs as sent. */
export function idempotencyFingerprint(workflowId: string, req: IdempotentRequest): string {
  const request = { workflowId, version: req.version ?? null, inputs: req.inputs };
  return createHash('sha256').update(canonicalJson(request)).digest('hex');
}

/**
 * The run an Idempotency-Key was first used for, when this request is the same one; a 422 when the
 * key was used for a different request (another workflow, version or inputs). Runs recorded before
 * fingerprints existed are taken as the same request.
 */
export async function findIdempotentRun(prisma: PrismaClient | Prisma.TransactionClient, tenantId: string, workflowId: string, req: IdempotentRequest & { idempotencyKey?: string }): Promise<Run | undefined> {
  if (!req.idempotencyKey) return undefined;
  const run = await prisma.run.findUnique({ where: { tenantId_idempotencyKey: { tenantId, idempotencyKey: req.idempotencyKey } } });
  if (!run) return undefined;
  if (run.idempotencyFingerprint !== null && run.idempotencyFingerprint !== idempotencyFingerprint(workflowId, req)) {
    const message = 'This Idempotency-Key was already used for a different request (another workflow, version or inputs); use a new key';
    throw new ValidationFailedError('idempotency_key_reused', message, [{ code: 'idempotency_key_reused', message, path: ['headers', 'idempotency-key'] }]);
  }
  return run;
}
