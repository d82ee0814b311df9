import type { Prisma, PrismaClient } from '@weft/activities';
import { isRole, type Role } from '@weft/domain';
import type { AuditLog } from '../audit/audit-log';
import type { Caller } from './invitations';
import { lastOwner, memberNotFound } from './members.errors';
import type { MemberDto } from './members.schemas';
import { revokeIssuedBy } from './issued-by';
import { checkGrant, checkTarget } from './role-rules';

const withAccount = { account: { select: { email: true, name: true } } } as const;
type MemberRow = Prisma.MembershipGetPayload<{ include: typeof withAccount }>;

export function memberDto(row: MemberRow): MemberDto {
  return {
    id: row.id,
    accountId: row.accountId,
    email: row.account.email,
    name: row.account.name,
    role: isRole(row.role) ? row.role : 'viewer',
    createdAt: row.createdAt.toISOString(),
  };
}

/**
 * A workspace's members: list, change a role, remove (or leave). The role rules (role-rules.ts) and
 * "the workspace keeps an owner" are checked inside the transaction of the change, with the
 * workspace's owner rows locked, so two owners demoting each other at once cannot leave none.
 * Nothing is cached: the auth middleware reads the membership on every request, so a change holds
 * from the member's next request on.
 */
export class MembersService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly audit: AuditLog,
    /** after the commit: the API keys revoked with a membership change stop in every process (api-keys/key-revocations.ts) */
    private readonly keysRevoked: (keyIds: string[]) => Promise<void>,
  ) {}

  async list(
    tenantId: string,
    window: { skip: number; take: number; orderBy: { createdAt: 'asc' | 'desc' } },
    role: Role | undefined,
  ): Promise<{ items: MemberDto[]; total: number }> {
    const where = { tenantId, ...(role ? { role } : {}) };
    const [rows, total] = await this.prisma.$transaction([
      this.prisma.membership.findMany({ where, include: withAccount, ...window, orderBy: [window.orderBy, { id: 'asc' }] }),
      this.prisma.membership.count({ where }),
    ]);
    return { items: rows.map(memberDto), total };
  }

  async changeRole(caller: Caller, id: string, role: Role): Promise<MemberDto> {
    let revoked: string[] = [];
    const changed = await this.prisma.$transaction(async (tx) => {
      await lockOwners(tx, caller.tenantId);
      const row = await this.find(tx, caller.tenantId, id);
      const current = isRole(row.role) ? row.role : 'viewer';
      checkTarget(caller.role, current);
      checkGrant(caller.role, role);
      if (current === role) return memberDto(row);
      if (current === 'owner' && (await ownerCount(tx, caller.tenantId)) <= 1) throw lastOwner();
      const updated = await tx.membership.update({ where: { id }, data: { role }, include: withAccount });
      await this.audit.record(
        { ...auditOf(caller), action: 'member.update', objectType: 'member', objectId: id, before: { accountId: row.accountId, role: current }, after: { accountId: row.accountId, role } },
        tx,
      );
      revoked = await revokeIssuedBy(tx, this.audit, caller, row.accountId, role, 'member.update');
      return memberDto(updated);
    });
    await this.keysRevoked(revoked);
    return changed;
  }

  /** Removes a member; `checkRemover` decides (inside the transaction, with the target known) whether the caller may. */
  async remove(caller: Caller, id: string, checkRemover: (target: { accountId: string }) => void): Promise<void> {
    let revoked: string[] = [];
    await this.prisma.$transaction(async (tx) => {
      await lockOwners(tx, caller.tenantId);
      const row = await this.find(tx, caller.tenantId, id);
      checkRemover(row);
      const current = isRole(row.role) ? row.role : 'viewer';
      checkTarget(caller.role, current);
      if (current === 'owner' && (await ownerCount(tx, caller.tenantId)) <= 1) throw lastOwner();
      await tx.membership.delete({ where: { id } });
      await this.audit.record(
        { ...auditOf(caller), action: 'member.remove', objectType: 'member', objectId: id, before: { accountId: row.accountId, email: row.account.email, role: current } },
        tx,
      );
      revoked = await revokeIssuedBy(tx, this.audit, caller, row.accountId, undefined, 'member.remove');
    });
    await this.keysRevoked(revoked);
  }

  /** Another workspace's member answers as one that does not exist. */
  private async find(tx: Prisma.TransactionClient, tenantId: string, id: string): Promise<MemberRow> {
    const row = await tx.membership.findFirst({ where: { id, tenantId }, include: withAccount });
    if (!row) throw memberNotFound(id);
    return row;
  }
}

async function lockOwners(tx: Prisma.TransactionClient, tenantId: string): Promise<void> {
  await tx.$queryRaw`SELECT id FROM memberships WHERE tenant_id = ${tenantId} AND role = 'owner' FOR UPDATE`;
}

const ownerCount = (tx: Prisma.TransactionClient, tenantId: string) => tx.membership.count({ where: { tenantId, role: 'owner' } });

function auditOf(caller: Caller) {
  return { tenantId: caller.tenantId, actor: caller.actor, ...(caller.requestId ? { requestId: caller.requestId } : {}) };
}
