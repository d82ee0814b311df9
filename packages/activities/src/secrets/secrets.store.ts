import { randomUUID } from 'node:crypto';
import { NodeFailure } from '../errors/node-failure';
import type { PrismaClient } from '../persistence/prisma-client';
import type { SecretCipher } from './secret-cipher';

const SECRET_REF = /\{\{\s*secrets\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

/** Tenant secrets: written encrypted, read back only where a side effect needs them. */
export class SecretsStore {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly cipher: SecretCipher,
  ) {}

  /**
   * Sets a secret; `existed` says whether it replaced one (for the audit log). `db`: a transaction
   * the write joins (the API records the change in it).
   */
  async put(tenantId: string, name: string, value: string, db: Pick<PrismaClient, 'secret'> = this.prisma) {
    const ciphertext = this.cipher.encrypt(value);
    const existed = (await db.secret.count({ where: { tenantId, name } })) > 0;
    const stored = await db.secret.upsert({
      where: { tenantId_name: { tenantId, name } },
      create: { id: `sec_${randomUUID().replace(/-/g, '')}`, tenantId, name, ciphertext },
      update: { ciphertext },
      select: { name: true, createdAt: true, updatedAt: true },
    });
    return { ...stored, existed };
  }

  list(tenantId: string) {
    return this.prisma.secret.findMany({ where: { tenantId }, select: { name: true, createdAt: true, updatedAt: true }, orderBy: { name: 'asc' } });
  }

  /**
   * Every secret value of a tenant, to mask them wherever one may have been copied by hand (a run's
   * raw Temporal history: inputs are the user's own text).
   */
  async plaintexts(tenantId: string): Promise<string[]> {
    const rows = await this.prisma.secret.findMany({ where: { tenantId }, select: { ciphertext: true } });
    return rows.map((r) => this.cipher.decrypt(r.ciphertext)).filter((p) => p.length > 0);
  }

  /**
   * Replaces every `{{ secrets.NAME }}` inside a value with the secret's plaintext, and returns the
   * plaintexts used so error messages and outputs can be scrubbed of them. Called inside an activity at call
   * time, so a plaintext never enters workflow history, run records or events.
   */
  async resolveIn<T>(tenantId: string, value: T): Promise<{ value: T; plaintexts: string[] }> {
    const names = new Set<string>();
    for (const m of JSON.stringify(value ?? null).matchAll(SECRET_REF)) names.add(m[1]!);
    if (!names.size) return { value, plaintexts: [] };
    const rows = await this.prisma.secret.findMany({ where: { tenantId, name: { in: [...names] } } });
    const plain = new Map(rows.map((r) => [r.name, this.cipher.decrypt(r.ciphertext)]));
    const missing = [...names].filter((n) => !plain.has(n));
    if (missing.length) throw new NodeFailure('secret_not_found', `No secret named ${missing.map((m) => `'${m}'`).join(', ')} in this tenant`);
    const resolved = mapStrings(value, (text) => text.replace(SECRET_REF, (_m, name: string) => plain.get(name)!));
    return { value: resolved, plaintexts: [...plain.values()].filter((p) => p.length > 0) };
  }
}

/** Replaces each plaintext in a message with a mask. */
export function scrub(message: string, plaintexts: readonly string[]): string {
  // An empty plaintext (a provider row with an empty key) would put a mask between every character.
  return plaintexts.reduce((m, p) => (p ? m.split(p).join('[secret]') : m), message);
}

/**
 * Masks each plaintext in every string inside a value: a node's outputs may carry a secret back
 * (a server echoing its Authorization header), and outputs go into history and run records.
 */
export function scrubValue<T>(value: T, plaintexts: readonly string[]): T {
  return plaintexts.length ? mapStrings(value, (text) => scrub(text, plaintexts)) : value;
}

function mapStrings<T>(value: T, fn: (text: string) => string): T {
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return fn(v);
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(value) as T;
}
