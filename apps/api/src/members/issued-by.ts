import { Prisma } from '@weft/activities';
import { ROLES, type Role } from '@weft/domain';
import type { AuditLog } from '../audit/audit-log';
import type { Caller } from './invitations';

/** The roles above `role` (owner first): what a member demoted to `role` may no longer hand out. */
const rolesAbove = (role: Role): Role[] => ROLES.slice(0, ROLES.indexOf(role));

/**
 * What a member handed out stops with their membership: when a member is removed, the API keys
 * they created (and every key those keys created or that replaced one of them by rotation) and the
 * invitations they sent that are still open are revoked; when a member is demoted, those whose role
 * is above the new one. Otherwise a removed admin keeps admin access through a key they made, or
 * joins again through an invitation to another address of theirs. Runs inside the membership
 * change's transaction, with an audit entry for each; returns the revoked keys' ids, which the
 * caller marks revoked for every API process once the transaction has committed.
 */
export async function revokeIssuedBy(
  tx: Prisma.TransactionClient,
  audit: AuditLog,
  caller: Caller,
  accountId: string,
  onlyAbove: Role | undefined,
  reason: 'member.remove' | 'member.update',
): Promise<string[]> {
  const roles = onlyAbove === undefined ? [...ROLES] : rolesAbove(onlyAbove);
  if (roles.length === 0) return [];
  const now = new Date();
  const keys = await tx.$queryRaw<{ id: string; role: string }[]>`
    WITH RECURSIVE issued(id) AS (
      SELECT id FROM api_keys WHERE tenant_id = ${caller.tenantId} AND created_by = ${accountId}
      UNION
      SELECT k.id FROM api_keys k JOIN issued i ON k.created_by = i.id OR k.rotated_from = i.id WHERE k.tenant_id = ${caller.tenantId}
    )
    SELECT k.id, k.role FROM api_keys k JOIN issued i ON k.id = i.id
    WHERE k.revoked_at IS NULL AND k.role IN (${Prisma.join(roles)})
    FOR UPDATE OF k`;
  const who = { tenantId: caller.tenantId, actor: caller.actor, ...(caller.requestId ? { requestId: caller.requestId } : {}) };
  if (keys.length > 0) {
    await tx.apiKey.updateMany({ where: { id: { in: keys.map((k) => k.id) }, revokedAt: null }, data: { revokedAt: now } });
    for (const key of keys) {
      await audit.record({ ...who, action: 'api_key.revoke', objectType: 'api_key', objectId: key.id, before: { role: key.role }, after: { revokedAt: now.toISOString(), because: reason, of: accountId } }, tx);
    }
  }
  const invitations = await tx.invitation.findMany({
    where: { tenantId: caller.tenantId, invitedBy: accountId, acceptedAt: null, revokedAt: null, expiresAt: { gt: now }, role: { in: roles } },
    select: { id: true, email: true, role: true },
  });
  if (invitations.length > 0) {
    await tx.invitation.updateMany({ where: { id: { in: invitations.map((i) => i.id) }, acceptedAt: null, revokedAt: null }, data: { revokedAt: now } });
    for (const inv of invitations) {
      await audit.record({ ...who, action: 'invitation.revoke', objectType: 'invitation', objectId: inv.id, before: { email: inv.email, role: inv.role }, after: { revokedAt: now.toISOString(), because: reason, of: accountId } }, tx);
    }
  }
  return keys.map((k) => k.id);
}
