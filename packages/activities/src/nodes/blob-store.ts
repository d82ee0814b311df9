import { createHmac, hkdfSync, randomUUID, timingSafeEqual } from 'node:crypto';
import { isBlobRef, type BlobRef } from '@weft/domain';
import type { Prisma, PrismaClient } from '../persistence/prisma-client';
import { parseEncryptionKey } from '../secrets/secret-cipher';

/** Outputs larger than this (bytes of JSON) leave workflow history: well under Temporal's 2 MB. */
export const DEFAULT_INLINE_LIMIT = 128 * 1024;

/** HKDF label of the blob reference key: its own, so the key serves no other purpose. */
const MAC_KEY_INFO = 'weft/run-blob-ref-mac/v1';

export interface BlobStoreOptions {
  /** WEFT_ENCRYPTION_KEY; the key that signs references is derived from it, never the key itself */
  encryptionKey: string;
  inlineLimit?: number;
}

/** Where references are resolved: references without a mac only within this run. */
export interface BlobScope {
  runId?: string;
}

/** The size of a reference given by its id alone (loadBlobs from workflow code that sends no refs). */
const BARE_ID = -1;
const REF_KEYS = ['$weftBlob', 'size'];
const SIGNED_REF_KEYS = ['$weftBlob', 'mac', 'size'];

/** A reference exactly as the store writes it (with or without a mac); anything else is data. */
function asRef(value: unknown): BlobRef | undefined {
  if (!isBlobRef(value) || typeof value.size !== 'number') return undefined;
  const keys = Object.keys(value).sort();
  const shape = typeof value.mac === 'string' ? SIGNED_REF_KEYS : REF_KEYS;
  return keys.length === shape.length && keys.every((k, i) => k === shape[i]) ? value : undefined;
}

/** Sets an own property, also one named `__proto__` (plain assignment would set the prototype). */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

/** Every reference-shaped object inside a value, without recursion (depth cannot overflow the stack). */
function findRefs(value: unknown): BlobRef[] {
  const found: BlobRef[] = [];
  const stack = [value];
  while (stack.length) {
    const v = stack.pop();
    if (v === null || typeof v !== 'object') continue;
    const ref = asRef(v);
    if (ref) found.push(ref);
    else for (const x of Array.isArray(v) ? v : Object.values(v)) stack.push(x);
  }
  return found;
}

/** A copy of the value with each resolved reference replaced by its value; others stay as they are. */
function replaceRefs(value: unknown, resolved: Map<BlobRef, unknown>): unknown {
  const root: Record<string, unknown> = {};
  const stack: [unknown, Record<string, unknown> | unknown[], string | number][] = [[value, root, 'v']];
  while (stack.length) {
    const [v, target, slot] = stack.pop()!;
    let out: unknown = v;
    if (v !== null && typeof v === 'object') {
      if (resolved.has(v as BlobRef)) out = resolved.get(v as BlobRef);
      else if (Array.isArray(v)) {
        const copy: unknown[] = new Array(v.length);
        v.forEach((x, i) => stack.push([x, copy, i]));
        out = copy;
      } else {
        const copy: Record<string, unknown> = {};
        for (const [k, x] of Object.entries(v)) {
          setOwn(copy, k, undefined);
          stack.push([x, copy, k]);
        }
        out = copy;
      }
    }
    if (Array.isArray(target)) target[slot as number] = out;
    else setOwn(target, slot as string, out);
  }
  return root.v;
}

/**
 * Keeps large node outputs in PostgreSQL so workflow history carries only a small reference.
 * Each top-level output value is stored on its own, so small siblings (status, usage) stay inline
 * and usable by pure nodes. References are signed: user data cannot pass for one.
 */
export class BlobStore {
  readonly inlineLimit: number;
  private readonly macKey: Buffer;

  constructor(
    private readonly prisma: PrismaClient,
    options: BlobStoreOptions,
  ) {
    this.inlineLimit = options.inlineLimit ?? DEFAULT_INLINE_LIMIT;
    this.macKey = Buffer.from(hkdfSync('sha256', parseEncryptionKey(options.encryptionKey), Buffer.alloc(0), MAC_KEY_INFO, 32));
  }

  /** The mac of a reference written for this tenant. */
  mac(tenantId: string, id: string, size: number): string {
    return createHmac('sha256', this.macKey).update(`${tenantId}:${id}:${size}`).digest('base64url');
  }

  private verifies(tenantId: string, ref: BlobRef): boolean {
    const expected = Buffer.from(this.mac(tenantId, ref.$weftBlob, ref.size));
    const given = Buffer.from(ref.mac ?? '');
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  /** Outputs larger than `inlineLimit` in all keep their values above an eighth of it as blobs of the run. */
  async offload(tenantId: string, runId: string, outputs: Record<string, unknown>, inlineLimit = this.inlineLimit): Promise<Record<string, unknown>> {
    if (Buffer.byteLength(JSON.stringify(outputs)) <= inlineLimit) return outputs;
    const out: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(outputs)) {
      const size = value === undefined ? 0 : Buffer.byteLength(JSON.stringify(value));
      if (size <= inlineLimit / 8) {
        setOwn(out, name, value);
        continue;
      }
      const id = `blob_${randomUUID().replace(/-/g, '')}`;
      await this.prisma.runBlob.create({ data: { id, tenantId, runId, size, value: value as Prisma.InputJsonValue } });
      setOwn(out, name, { $weftBlob: id, size, mac: this.mac(tenantId, id, size) } satisfies BlobRef);
    }
    return out;
  }

  /**
   * The stored values of the references that verify, by id: a reference with a valid mac, or one
   * without a mac (written before macs existed) whose blob belongs to `scope.runId`. Bare ids count
   * as references without a mac. Every other id is left out of the answer.
   */
  async load(tenantId: string, refs: (BlobRef | string)[], scope: BlobScope = {}): Promise<Record<string, unknown>> {
    const values = await this.resolve(tenantId, refs.map((r) => (typeof r === 'string' ? { $weftBlob: r, size: BARE_ID } : r)), scope);
    const out: Record<string, unknown> = {};
    for (const [ref, value] of values) setOwn(out, ref.$weftBlob, value);
    return out;
  }

  /**
   * The values with every reference that verifies (signed for this tenant, or unsigned and written
   * by run `from`) pointing to a copy of its blob owned by run `to`, signed. The copies are made
   * inside PostgreSQL: the values never pass through this process. A rerun takes over its origin's
   * outputs this way, so what it reads stays its own whatever becomes of the origin.
   */
  async copyRefs<T>(tenantId: string, values: T[], scope: { from: string; to: string }): Promise<T[]> {
    const found = values.map(findRefs);
    const refs = found.flat().filter((r) => r.mac === undefined || this.verifies(tenantId, r));
    if (!refs.length) return values;
    const rows = await this.prisma.runBlob.findMany({ where: { tenantId, id: { in: [...new Set(refs.map((r) => r.$weftBlob))] } }, select: { id: true, runId: true, size: true } });
    const byId = new Map(rows.map((r) => [r.id, r]));
    const copies = new Map<string, string>();
    const replaced = new Map<BlobRef, unknown>();
    for (const ref of refs) {
      const row = byId.get(ref.$weftBlob);
      if (!row || row.size !== ref.size || (ref.mac === undefined && row.runId !== scope.from)) continue;
      let id = copies.get(row.id);
      if (!id) copies.set(row.id, (id = `blob_${randomUUID().replace(/-/g, '')}`));
      replaced.set(ref, { $weftBlob: id, size: row.size, mac: this.mac(tenantId, id, row.size) } satisfies BlobRef);
    }
    if (!copies.size) return values;
    const olds = [...copies.keys()];
    const news = olds.map((o) => copies.get(o)!);
    await this.prisma.$executeRaw`
      INSERT INTO run_blobs (id, tenant_id, run_id, size, value)
      SELECT c.new_id, b.tenant_id, ${scope.to}, b.size, b.value
      FROM run_blobs b JOIN unnest(${olds}::text[], ${news}::text[]) AS c(old_id, new_id) ON b.id = c.old_id
      WHERE b.tenant_id = ${tenantId}`;
    return values.map((v, i) => (found[i]!.some((r) => replaced.has(r)) ? (replaceRefs(v, replaced) as T) : v));
  }

  /** Replaces every reference inside a value that verifies with its stored value; everything else is returned as it is. */
  async inflate<T>(tenantId: string, value: T, scope: BlobScope = {}): Promise<T> {
    const refs = findRefs(value);
    if (!refs.length) return value;
    const resolved = await this.resolve(tenantId, refs, scope);
    return resolved.size ? (replaceRefs(value, resolved) as T) : value;
  }

  private async resolve(tenantId: string, refs: BlobRef[], scope: BlobScope): Promise<Map<BlobRef, unknown>> {
    const wanted = refs.filter((r) => (r.mac === undefined ? scope.runId !== undefined : this.verifies(tenantId, r)));
    const resolved = new Map<BlobRef, unknown>();
    if (!wanted.length) return resolved;
    const rows = await this.prisma.runBlob.findMany({ where: { tenantId, id: { in: [...new Set(wanted.map((r) => r.$weftBlob))] } } });
    const byId = new Map(rows.map((r) => [r.id, r]));
    for (const ref of wanted) {
      const row = byId.get(ref.$weftBlob);
      if (!row) continue;
      if (ref.mac === undefined && row.runId !== scope.runId) continue;
      if (ref.size !== BARE_ID && row.size !== ref.size) continue;
      resolved.set(ref, row.value);
    }
    return resolved;
  }
}
