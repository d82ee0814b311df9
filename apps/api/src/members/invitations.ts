import { Prisma, SignedLinks, type PrismaClient } from '@weft/activities';
import { isRole, type Role } from '@weft/domain';
import type { AuditActor, AuditLog } from '../audit/audit-log';
import { newId } from '../auth/api-keys';
import { alreadyMember, invitationEmailMismatch, invitationExpired, invitationNotFound, invitationRevoked, invitationUsed } from './members.errors';
import type { InvitationStatus, InviteInput } from './members.schemas';
import { checkGrant } from './role-rules';

type Db = PrismaClient | Prisma.TransactionClient;
type InvitationRow = Prisma.InvitationGetPayload<object>;
type MembershipRow = Prisma.MembershipGetPayload<object>;

// Its own label: an invitation's signature is worth nothing as a form link's, and the other way round.
const INVITATION_KEY_INFO = 'weft invitation links v1';
const VERSION = 'i1';

/**
 * Signed invitation links (secrets/signed-link.ts): `i1.<invitation id>.<expiry>.<HMAC>`, keyed from
 * WEFT_ENCRYPTION_KEY. Nothing about the token is stored: the id it signs is looked up, and the
 * invitation's row says whether it is still open (single use: acceptedAt; revokedAt; expiresAt).
 */
export class InvitationLinks {
  private readonly links: SignedLinks;

  constructor(encryptionKey: string) {
    this.links = new SignedLinks(encryptionKey, INVITATION_KEY_INFO, VERSION);
  }

  sign(invitation: { id: string; expiresAt: Date }): string {
    return this.links.sign(invitation.id, invitation.expiresAt);
  }

  /** The invitation id of a token we signed (expired or not), or undefined. */
  verify(token: string, now: Date): { id: string; expired: boolean } | undefined {
    const check = this.links.verify(token, now);
    if (check.ok) return { id: check.claims.id, expired: false };
    return check.reason === 'expired' ? { id: check.claims.id, expired: true } : undefined;
  }
}

/** Where the invited person accepts (POST, with their access token). */
export const acceptPath = (token: string) => `/v1/invitations/${token}/accept`;

/** What the invitation functions need; the app keeps one on `app.locals.invitations`. */
export interface InvitationDeps {
  prisma: PrismaClient;
  links: InvitationLinks;
  audit: AuditLog;
  now?: () => Date;
}

/** Who asks, for the role rules and the audit entry. */
export interface Caller {
  tenantId: string;
  role: Role;
  actor: AuditActor;
  requestId?: string;
}

export function invitationStatus(row: InvitationRow, now: Date): InvitationStatus {
  if (row.acceptedAt) return 'accepted';
  if (row.revokedAt) return 'revoked';
  return row.expiresAt.getTime() <= now.getTime() ? 'expired' : 'pending';
}

/** What an audit entry keeps of an invitation: never its token. */
const audited = (row: InvitationRow) => ({ email: row.email, role: row.role, expiresAt: row.expiresAt.toISOString() });

/**
 * Invites an email into the caller's workspace with a role (the role rules: only an owner invites an
 * owner, nobody invites above their own role). An email that already has a membership here is
 * refused (409 already_member); whether it has an account at all is not said (the invitation is
 * made either way), so inviting cannot probe which emails have accounts.
 */
export async function createInvitation(deps: InvitationDeps, caller: Caller, input: InviteInput): Promise<{ row: InvitationRow; token: string }> {
  checkGrant(caller.role, input.role);
  const now = (deps.now ?? (() => new Date()))();
  const row = await deps.prisma.$transaction(async (tx) => {
    const member = await tx.membership.findFirst({ where: { tenantId: caller.tenantId, account: { email: input.email } }, select: { id: true } });
    if (member) throw alreadyMember();
    const created = await tx.invitation.create({
      data: {
        id: newId('inv'),
        tenantId: caller.tenantId,
        email: input.email,
        role: input.role,
        invitedBy: caller.actor.id ?? null,
        expiresAt: new Date(now.getTime() + input.expiresInHours * 3_600_000),
      },
    });
    await deps.audit.record({ ...auditOf(caller), action: 'invitation.create', objectType: 'invitation', objectId: created.id, after: audited(created) }, tx);
    return created;
  });
  return { row, token: deps.links.sign(row) };
}

/** Revokes an open invitation of the caller's workspace; an accepted one stays (remove the member instead). */
export async function revokeInvitation(deps: InvitationDeps, caller: Caller, id: string): Promise<void> {
  const now = (deps.now ?? (() => new Date()))();
  await deps.prisma.$transaction(async (tx) => {
    await lockInvitation(tx, id);
    const row = await tx.invitation.findFirst({ where: { id, tenantId: caller.tenantId } });
    if (!row) throw invitationNotFound();
    if (row.acceptedAt) throw invitationUsed();
    if (row.revokedAt) return;
    checkGrant(caller.role, isRole(row.role) ? row.role : 'owner');
    const revoked = await tx.invitation.update({ where: { id }, data: { revokedAt: now } });
    await deps.audit.record(
      { ...auditOf(caller), action: 'invitation.revoke', objectType: 'invitation', objectId: id, before: audited(row), after: { ...audited(revoked), revokedAt: now.toISOString() } },
      tx,
    );
  });
}

export async function listInvitations(
  prisma: PrismaClient,
  tenantId: string,
  window: { skip: number; take: number; orderBy: { createdAt: 'asc' | 'desc' } },
  status: InvitationStatus | undefined,
  now: Date,
): Promise<{ items: InvitationRow[]; total: number }> {
  const open = { acceptedAt: null, revokedAt: null };
  const byStatus: Record<InvitationStatus, Prisma.InvitationWhereInput> = {
    pending: { ...open, expiresAt: { gt: now } },
    expired: { ...open, expiresAt: { lte: now } },
    accepted: { acceptedAt: { not: null } },
    revoked: { acceptedAt: null, revokedAt: { not: null } },
  };
  const where: Prisma.InvitationWhereInput = { tenantId, ...(status ? byStatus[status] : {}) };
  const [items, total] = await prisma.$transaction([prisma.invitation.findMany({ where, ...window, orderBy: [window.orderBy, { id: 'asc' }] }), prisma.invitation.count({ where })]);
  return { items, total };
}

export interface AcceptedInvitation {
  invitation: InvitationRow;
  membership: MembershipRow;
  account: { id: string; email: string; name: string };
  tenant: { id: string; name: string };
}

/**
 * Accepts an invitation for an account: the signed-in person's (POST /v1/invitations/:token/accept),
 * or one being signed up (POST /v1/auth/sign-up with `invitation`: pass the sign-up's transaction as
 * `tx`, after the account row is created in it). The account's email must be the invitation's
 * (case-insensitively: both are kept lower-cased). Single use: the invitation row is locked, then
 * marked accepted in the same transaction as the membership and the audit entries.
 *
 * Refusals: a token we did not sign or an unknown id → 404 invitation_not_found; revoked → 410
 * invitation_revoked; accepted before → 410 invitation_used; past its expiry → 410
 * invitation_expired; another email → 403 invitation_email_mismatch; the account is a member of
 * the workspace already → 409 already_member (the invitation stays open).
 */
export async function acceptInvitation(
  deps: InvitationDeps,
  token: string,
  accountId: string,
  email: string,
  tx?: Prisma.TransactionClient,
  context: { requestId?: string } = {},
): Promise<AcceptedInvitation> {
  const now = (deps.now ?? (() => new Date()))();
  const signed = deps.links.verify(token, now);
  if (!signed) throw invitationNotFound();
  const accept = async (db: Prisma.TransactionClient): Promise<AcceptedInvitation> => {
    await lockInvitation(db, signed.id);
    const invitation = await db.invitation.findUnique({ where: { id: signed.id }, include: { tenant: { select: { id: true, name: true } } } });
    if (!invitation || !isRole(invitation.role)) throw invitationNotFound();
    if (invitation.revokedAt) throw invitationRevoked();
    if (invitation.acceptedAt) throw invitationUsed();
    if (signed.expired || invitation.expiresAt.getTime() <= now.getTime()) throw invitationExpired();
    if (invitation.email !== email.trim().toLowerCase()) throw invitationEmailMismatch();
    const account = await db.account.findUnique({ where: { id: accountId }, select: { id: true, email: true, name: true } });
    if (!account || account.email !== invitation.email) throw invitationEmailMismatch();
    if (await db.membership.findUnique({ where: { tenantId_accountId: { tenantId: invitation.tenantId, accountId } }, select: { id: true } })) throw alreadyMember();
    const membership = await db.membership.create({ data: { id: newId('mem'), tenantId: invitation.tenantId, accountId, role: invitation.role } });
    const accepted = await db.invitation.update({ where: { id: invitation.id }, data: { acceptedAt: now, acceptedBy: accountId } });
    const who = { tenantId: invitation.tenantId, actor: { type: 'account' as const, id: accountId }, ...(context.requestId ? { requestId: context.requestId } : {}) };
    await deps.audit.record({ ...who, action: 'invitation.accept', objectType: 'invitation', objectId: invitation.id, before: audited(invitation), after: { ...audited(accepted), acceptedBy: accountId } }, db);
    await deps.audit.record({ ...who, action: 'member.add', objectType: 'member', objectId: membership.id, after: { accountId, email: account.email, role: membership.role, invitationId: invitation.id } }, db);
    const { tenant, ...rest } = invitation;
    return { invitation: { ...rest, acceptedAt: accepted.acceptedAt, acceptedBy: accepted.acceptedBy }, membership, account, tenant };
  };
  try {
    return tx ? await accept(tx) : await deps.prisma.$transaction(accept);
  } catch (err) {
    // The same account accepting two invitations to one workspace at once: the second membership is refused.
    if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002') throw alreadyMember();
    throw err;
  }
}

/** Two accepts (or an accept and a revoke) of one invitation at once: the second waits, then sees the first's outcome. */
async function lockInvitation(db: Db, id: string): Promise<void> {
  await db.$queryRaw`SELECT id FROM invitations WHERE id = ${id} FOR UPDATE`;
}

function auditOf(caller: Caller) {
  return { tenantId: caller.tenantId, actor: caller.actor, ...(caller.requestId ? { requestId: caller.requestId } : {}) };
}
