import { resolveValue, type NodeActivityInput, type VariablePool } from '@weft/domain';
import type { BlobStore } from './blob-store';

function setAt(target: unknown, path: (string | number)[], value: unknown): void {
  let at = target as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) {
    const next = at?.[key];
    if (next === null || typeof next !== 'object') return;
    at = next as Record<string | number, unknown>;
  }
  if (at && path.length) at[path[path.length - 1]!] = value;
}

/**
 * The node's config with the strings the workflow deferred rendered here, against the values kept
 * outside history they read (loaded now, never put into workflow history).
 */
export async function renderDeferred(input: NodeActivityInput, blobs: BlobStore): Promise<unknown> {
  if (!input.deferred?.length) return input.config;
  const variables = (await blobs.inflate(input.tenantId, input.variables ?? {}, { runId: input.runId })) as VariablePool;
  const config = structuredClone(input.config);
  for (const d of input.deferred) setAt(config, d.path, resolveValue(d.template, variables));
  return config;
}
