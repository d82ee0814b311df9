import { randomUUID } from 'node:crypto';
import { isBlobRef, type BlobRef } from '@weft/domain';
import type { Prisma, PrismaClient } from '../persistence/prisma-client';

/** Outputs larger than this (bytes of JSON) leave workflow history: well under Temporal's 2 MB. */
export const DEFAULT_INLINE_LIMIT = 128 * 1024;

/**
 * Keeps large node outputs in PostgreSQL so workflow history carries only a small reference.
 * Each top-level output value is stored on its own, so small siblings (status, usage) stay inline
 * and usable by pure nodes.
 */
export class BlobStore {
  constructor(
    private readonly prisma: PrismaClient,
    readonly inlineLimit = DEFAULT_INLINE_LIMIT,
  ) {}

  async offload(tenantId: string, runId: string, outputs: Record<string, unknown>): Promise<Record<string, unknown>> {
    if (Buffer.byteLength(JSON.stringify(outputs)) <= this.inlineLimit) return outputs;
    const out: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(outputs)) {
      const size = value === undefined ? 0 : Buffer.byteLength(JSON.stringify(value));
      if (size <= this.inlineLimit / 8) {
        out[name] = value;
        continue;
      }
      const id = `blob_${randomUUID().replace(/-/g, '')}`;
      await this.prisma.runBlob.create({ data: { id, tenantId, runId, size, value: value as Prisma.InputJsonValue } });
      out[name] = { $weftBlob: id, size } satisfies BlobRef;
    }
    return out;
  }

  async load(tenantId: string, ids: string[]): Promise<Record<string, unknown>> {
    if (!ids.length) return {};
    const rows = await this.prisma.runBlob.findMany({ where: { tenantId, id: { in: ids } } });
    return Object.fromEntries(rows.map((r) => [r.id, r.value]));
  }

  /** Replaces every blob reference inside a value with the stored value. */
  async inflate<T>(tenantId: string, value: T): Promise<T> {
    const ids = new Set<string>();
    collectRefs(value, ids);
    if (!ids.size) return value;
    const values = await this.load(tenantId, [...ids]);
    return replaceRefs(value, values) as T;
  }
}

export function collectRefs(value: unknown, into: Set<string>): void {
  if (isBlobRef(value)) into.add(value.$weftBlob);
  else if (Array.isArray(value)) value.forEach((v) => collectRefs(v, into));
  else if (value !== null && typeof value === 'object') Object.values(value).forEach((v) => collectRefs(v, into));
}

export function replaceRefs(value: unknown, values: Record<string, unknown>): unknown {
  if (isBlobRef(value)) return values[value.$weftBlob] ?? null;
  if (Array.isArray(value)) return value.map((v) => replaceRefs(v, values));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, replaceRefs(v, values)]));
  }
  return value;
}
