import { resolveValue, setAtPath, type NodeActivityInput, type VariablePool } from '@weft/domain';
import type { BlobStore } from './blob-store';

/**
 * The node's config with the strings the workflow deferred rendered here, against the values kept
 * outside history they read (loaded now, never put into workflow history).
 */
export async function renderDeferred(input: NodeActivityInput, blobs: BlobStore): Promise<unknown> {
  if (!input.deferred?.length) return input.config;
  const variables = (await blobs.inflate(input.tenantId, input.variables ?? {}, { runId: input.runId })) as VariablePool;
  const config = structuredClone(input.config);
  for (const d of input.deferred) setAtPath(config, d.path, resolveValue(d.template, variables));
  return config;
}
