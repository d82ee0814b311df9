import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { PrismaClient } from '@weft/activities';
import type { Role } from '@weft/domain';

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export function newId(prefix: string): string {
  return `${prefix}_${randomUUID().replace(/-/g, '')}`;
}

/** A new key: the secret (shown once), the sha256 that is stored, and the prefix that names it in lists. */
export function mintApiKey(): { key: string; hash: string; prefix: string } {
  const key = `sk-${randomBytes(32).toString('base64url')}`;
  return { key, hash: hashApiKey(key), prefix: key.slice(0, 7) };
}

/** Creates the tenant when it does not exist and adds a key with the role; returns the key once. */
export async function createTenantKey(prisma: PrismaClient, tenantName: string, role: Role) {
  const { key, hash, prefix } = mintApiKey();
  return prisma.$transaction(async (tx) => {
    const tenant = await tx.tenant.upsert({ where: { name: tenantName }, create: { id: newId('tn'), name: tenantName }, update: {} });
    await tx.apiKey.create({ data: { id: newId('key'), tenantId: tenant.id, hash, prefix, role } });
    return { tenantId: tenant.id, key };
  });
}
