import { createHash, randomBytes } from 'node:crypto';
import { Prisma, type PrismaClient } from '@weft/activities';
import { isRole, type Role } from '@weft/domain';
import type { AccessTokens } from '../auth/access-tokens';
import { newId } from '../auth/api-keys';
import { WorkspaceNotFoundError } from '../auth/auth.errors';
import { hashPassword, verifyPassword, type PasswordHashParams } from '../auth/passwords';
import type { AuditLog } from '../audit/audit-log';
import { UnauthorizedError } from '../http/http.errors';
import { AccountLockedError, currentPasswordInvalid, emailTaken, invalidCredentials, refreshTokenExpired, refreshTokenInvalid, refreshTokenReused, signupClosed, workspaceNameTaken, type SessionError } from './accounts.errors';
import { accountDto, workspaceDto, type SessionDto, type WorkspaceDto } from './accounts.responses';
import type { ChangePasswordBody, RefreshBody, SignInBody, SignUpBody } from './accounts.schemas';
import { afterFailure, lockedFor, type LockoutPolicy } from './lockout';
import type { SessionRevocations } from './session-revocations';

/**
 * THE SEAM for invitations (the members area builds them): accepts an invitation token for a new
 * account inside the sign-up's transaction — checks the token (signature, expiry, single use, the
 * invited email), adds the membership with the invitation's role and marks it accepted — and
 * returns the workspace. Throws the invitation's own errors. Without one, a sign-up with an
 * invitation is refused like any other closed sign-up (403 signup_closed).
 */
export type AcceptInvitation = (
  tx: Prisma.TransactionClient,
  token: string,
  account: { id: string; email: string },
  context: { requestId: string },
) => Promise<{ tenantId: string; role: Role }>;

export interface AccountsOptions {
  tokens: AccessTokens;
  revocations: SessionRevocations;
  refreshTtlSeconds: number;
  /** WEFT_OPEN_SIGNUP: anyone may sign up and gets a workspace of their own */
  openSignup: boolean;
  lockout: LockoutPolicy;
  passwordParams: PasswordHashParams;
  acceptInvitation?: AcceptInvitation;
  audit?: AuditLog;
  now?: () => Date;
}

/** Serializes sign-ups, so two concurrent first sign-ups cannot both find no account (a transaction-scoped advisory lock). */
const SIGN_UP_LOCK = 0x77656674;
/** How many workspaces a session answer lists (GET /v1/workspaces pages through all). */
const SESSION_WORKSPACES = 100;
const REFRESH_TOKEN = /^rt_[A-Za-z0-9_-]{43}$/;

/**
 * Serializes the changes to one account's sessions (a refresh's next token, a revocation, a
 * password change): a revocation running while a refresh creates the next token would not see it,
 * and the session would outlive its sign-out. Transaction-scoped; the key's first half is ours.
 */
const SESSIONS_LOCK = 0x73657373;
async function lockSessions(tx: Prisma.TransactionClient, accountId: string): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(${SESSIONS_LOCK}::int, hashtext(${accountId}))`;
}

/** The refresh token was used up by a concurrent refresh (refresh(): a reuse). */
class ReusedInRace extends Error {}

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');
const newRefreshToken = () => `rt_${randomBytes(32).toString('base64url')}`;

interface AccountRow {
  id: string;
  email: string;
  name: string;
  passwordHash: string;
  failedSignIns: number;
  lockedUntil: Date | null;
  createdAt: Date;
}

/**
 * Accounts and their sessions. A session is a family of refresh tokens (its id is the access
 * tokens' `sid`): each refresh uses one up and issues the next; presenting a used one again means
 * it leaked, so the whole family is revoked, and its access tokens stop at once (SessionRevocations).
 */
export class AccountsService {
  private readonly now: () => Date;
  private dummy?: Promise<string>;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly options: AccountsOptions,
  ) {
    this.now = options.now ?? (() => new Date());
  }

  async signUp(body: SignUpBody, requestId: string): Promise<SessionDto> {
    // Hashed before anything is known about the deployment: every sign-up costs the same.
    const passwordHash = await hashPassword(body.password, this.options.passwordParams);
    const account = { id: newId('acct'), email: body.email, name: body.name ?? '', passwordHash };
    const workspaceName = body.workspace ?? `${body.email}'s workspace`;
    let workspaceId: string;
    try {
      workspaceId = await this.prisma.$transaction(async (tx) => {
        await tx.$executeRawUnsafe(`SELECT pg_advisory_xact_lock(${SIGN_UP_LOCK})`);
        const first = (await tx.account.findFirst({ select: { id: true } })) === null;
        const invited = body.invitation !== undefined && this.options.acceptInvitation !== undefined;
        if (!first && !invited && !this.options.openSignup) throw signupClosed();
        const taken = await tx.account.findUnique({ where: { email: account.email }, select: { id: true } });
        if (taken) {
          // Sign-up is closed: a made-up invitation must not tell which emails have accounts, so the
          // token is checked first, as if the existing account accepted it (undone by the refusal).
          if (!first && invited) await this.options.acceptInvitation!(tx, body.invitation!, { id: taken.id, email: account.email }, { requestId });
          throw emailTaken();
        }
        if (!first && invited) {
          await tx.account.create({ data: account });
          return (await this.options.acceptInvitation!(tx, body.invitation!, { id: account.id, email: account.email }, { requestId })).tenantId;
        }
        if (await tx.tenant.findUnique({ where: { name: workspaceName }, select: { id: true } })) throw workspaceNameTaken(workspaceName);
        await tx.account.create({ data: account });
        return this.newWorkspace(tx, account.id, workspaceName, requestId);
      });
    } catch (err) {
      // A concurrent sign-up with the same email or workspace name (the checks above ran first).
      if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002') {
        throw (await this.prisma.account.findUnique({ where: { email: account.email } })) ? emailTaken() : workspaceNameTaken(workspaceName);
      }
      throw err;
    }
    const created = await this.prisma.account.findUniqueOrThrow({ where: { id: account.id } });
    return this.issueSession(created, newId('ses'), workspaceId);
  }

  async signIn(body: SignInBody): Promise<SessionDto> {
    const account = await this.prisma.account.findUnique({ where: { email: body.email } });
    if (!account) {
      // The same work as a wrong password, so the answer's time does not tell whether the email exists.
      await verifyPassword(body.password, await this.dummyHash());
      throw invalidCredentials();
    }
    await this.checkPassword(account, body.password, invalidCredentials);
    const workspaceId = await this.workspaceFor(account.id, body.workspaceId);
    return this.issueSession(account, newId('ses'), workspaceId);
  }

  async refresh(body: RefreshBody): Promise<SessionDto> {
    if (!REFRESH_TOKEN.test(body.refreshToken)) throw refreshTokenInvalid();
    const token = await this.prisma.refreshToken.findUnique({ where: { hash: sha256(body.refreshToken) }, include: { account: true } });
    if (!token) throw refreshTokenInvalid();
    if (token.usedAt) {
      await this.revokeFamilies(token.accountId, [token.familyId]);
      throw refreshTokenReused();
    }
    if (token.revokedAt) throw refreshTokenInvalid();
    const now = this.now();
    if (token.expiresAt <= now) throw refreshTokenExpired();
    // Checked before the token is used up: a wrong workspace does not cost the session.
    const workspaceId = await this.workspaceFor(token.accountId, body.workspaceId);
    // Used up only if nobody used it meanwhile: of two concurrent refreshes with one token, one is a
    // reuse. The next token is created in the same transaction as the use: the loser's update waits
    // for the winner's commit, so the family revocation that follows also revokes the winner's new
    // token (created outside, it could land after the revocation and keep the session alive).
    try {
      return await this.issueSession(token.account, token.familyId, workspaceId, async (tx) => {
        await lockSessions(tx, token.accountId);
        const used = await tx.refreshToken.updateMany({ where: { id: token.id, usedAt: null, revokedAt: null }, data: { usedAt: now } });
        if (used.count === 1) return;
        // Revoked meanwhile (sign-out, password change, a reuse elsewhere): not a reuse of its own.
        const seen = await tx.refreshToken.findUniqueOrThrow({ where: { id: token.id }, select: { revokedAt: true } });
        throw seen.revokedAt ? refreshTokenInvalid() : new ReusedInRace();
      });
    } catch (err) {
      if (!(err instanceof ReusedInRace)) throw err;
      await this.revokeFamilies(token.accountId, [token.familyId]);
      throw refreshTokenReused();
    }
  }

  /** Ends the session: its refresh tokens and, at once, its access tokens. */
  async signOut(accountId: string, sessionId: string): Promise<void> {
    await this.revokeFamilies(accountId, [sessionId]);
  }

  /**
   * Changes the password (the current one is checked, and counts towards the lockout like a
   * sign-in), revokes every other session of the account and renews this one.
   */
  async changePassword(accountId: string, sessionId: string, body: ChangePasswordBody, workspaceId: string | undefined): Promise<SessionDto> {
    const account = await this.prisma.account.findUnique({ where: { id: accountId } });
    if (!account) throw new UnauthorizedError('The account of this access token no longer exists');
    await this.checkPassword(account, body.currentPassword, currentPasswordInvalid);
    const passwordHash = await hashPassword(body.newPassword, this.options.passwordParams);
    const now = this.now();
    const others = await this.prisma.$transaction(async (tx) => {
      await lockSessions(tx, accountId);
      await tx.account.update({ where: { id: accountId }, data: { passwordHash } });
      const families = await tx.refreshToken.findMany({ where: { accountId, familyId: { not: sessionId }, revokedAt: null }, distinct: ['familyId'], select: { familyId: true } });
      await tx.refreshToken.updateMany({ where: { accountId, familyId: { not: sessionId }, revokedAt: null }, data: { revokedAt: now } });
      // This session's outstanding refresh token is replaced by the one answered below.
      await tx.refreshToken.updateMany({ where: { familyId: sessionId, usedAt: null, revokedAt: null }, data: { revokedAt: now } });
      return families.map((f) => f.familyId);
    });
    await this.options.revocations.revoke(others);
    return this.issueSession({ ...account, passwordHash }, sessionId, await this.workspaceFor(accountId, workspaceId));
  }

  async listWorkspaces(accountId: string, window: { skip: number; take: number; orderBy: { createdAt: 'asc' | 'desc' } }): Promise<{ items: WorkspaceDto[]; total: number }> {
    const [rows, total] = await Promise.all([
      this.prisma.membership.findMany({ where: { accountId }, include: { tenant: true }, ...window, orderBy: [window.orderBy, { id: 'asc' }] }),
      this.prisma.membership.count({ where: { accountId } }),
    ]);
    return { items: rows.flatMap((m) => (isRole(m.role) ? [workspaceDto({ role: m.role, tenant: m.tenant })] : [])), total };
  }

  async createWorkspace(accountId: string, name: string, requestId: string): Promise<WorkspaceDto> {
    try {
      const tenantId = await this.prisma.$transaction(async (tx) => {
        if (await tx.tenant.findUnique({ where: { name }, select: { id: true } })) throw workspaceNameTaken(name);
        return this.newWorkspace(tx, accountId, name, requestId);
      });
      const tenant = await this.prisma.tenant.findUniqueOrThrow({ where: { id: tenantId } });
      return workspaceDto({ role: 'owner', tenant });
    } catch (err) {
      if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002') throw workspaceNameTaken(name);
      throw err;
    }
  }

  private async newWorkspace(tx: Prisma.TransactionClient, accountId: string, name: string, requestId: string): Promise<string> {
    const tenantId = newId('tn');
    const membershipId = newId('mem');
    await tx.tenant.create({ data: { id: tenantId, name } });
    await tx.membership.create({ data: { id: membershipId, tenantId, accountId, role: 'owner' } });
    await this.options.audit?.record(
      { tenantId, actor: { type: 'account', id: accountId }, action: 'workspace.create', objectType: 'workspace', objectId: tenantId, requestId, after: { name, owner: accountId } },
      tx,
    );
    return tenantId;
  }

  /**
   * Throws 429 while the account is locked, and the given error (counting the failure, locking at
   * the limit) for a wrong password. Each attempt is counted BEFORE its password is checked, and
   * only while the account is unlocked and under the limit (one conditional UPDATE): of any number
   * of concurrent guesses, at most `maxFailures` are ever checked per lock period; a right password
   * then starts the count again.
   */
  private async checkPassword(account: AccountRow, password: string, wrong: () => SessionError): Promise<void> {
    const now = this.now();
    const { maxFailures, lockSeconds } = this.options.lockout;
    let failedSignIns: number;
    try {
      ({ failedSignIns } = await this.prisma.account.update({
        where: { id: account.id, failedSignIns: { lt: maxFailures }, OR: [{ lockedUntil: null }, { lockedUntil: { lte: now } }] },
        data: { failedSignIns: { increment: 1 } },
        select: { failedSignIns: true },
      }));
    } catch (err) {
      if (!(err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2025')) throw err;
      // Locked, or as many attempts as the limit allows are counted and not yet answered (being
      // checked right now, or left over from a higher limit): that is a lock too, from now.
      const current = await this.prisma.account.findUnique({ where: { id: account.id }, select: { failedSignIns: true, lockedUntil: true } });
      if (!current) throw wrong();
      const locked = lockedFor(current, now);
      if (locked > 0) throw new AccountLockedError(locked);
      await this.prisma.account.updateMany({
        where: { id: account.id, failedSignIns: { gte: maxFailures }, OR: [{ lockedUntil: null }, { lockedUntil: { lte: now } }] },
        data: afterFailure(current.failedSignIns, this.options.lockout, now),
      });
      throw new AccountLockedError(lockSeconds);
    }
    if (await verifyPassword(password, account.passwordHash)) {
      await this.prisma.account.update({ where: { id: account.id }, data: { failedSignIns: 0, lockedUntil: null } });
      return;
    }
    // The failure is counted already (above); at the limit the account locks.
    const next = afterFailure(failedSignIns, this.options.lockout, now);
    if (!next.lockedUntil) throw wrong();
    await this.prisma.account.update({ where: { id: account.id }, data: next });
    throw new AccountLockedError(lockSeconds);
  }

  /** The workspace a session's access token names: the one asked for (a membership, else 404), or the account's first. */
  private async workspaceFor(accountId: string, requested: string | undefined): Promise<string | undefined> {
    if (requested !== undefined) {
      const member = await this.prisma.membership.findUnique({ where: { tenantId_accountId: { tenantId: requested, accountId } }, select: { id: true } });
      if (!member) throw new WorkspaceNotFoundError(requested);
      return requested;
    }
    const first = await this.prisma.membership.findFirst({ where: { accountId }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }], select: { tenantId: true } });
    return first?.tenantId;
  }

  /** A new refresh token of the family and an access token of the session. */
  private async issueSession(
    account: AccountRow,
    familyId: string,
    workspaceId: string | undefined,
    before?: (tx: Prisma.TransactionClient) => Promise<void>,
  ): Promise<SessionDto> {
    const refreshToken = newRefreshToken();
    const { refreshTtlSeconds, tokens } = this.options;
    await this.prisma.$transaction(async (tx) => {
      await before?.(tx);
      await tx.refreshToken.create({
        data: { id: newId('rt'), accountId: account.id, familyId, hash: sha256(refreshToken), expiresAt: new Date(this.now().getTime() + refreshTtlSeconds * 1000) },
      });
    });
    const memberships = await this.prisma.membership.findMany({
      where: { accountId: account.id },
      include: { tenant: true },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      take: SESSION_WORKSPACES,
    });
    return {
      accessToken: await tokens.sign({ sub: account.id, sid: familyId, ...(workspaceId ? { ws: workspaceId } : {}) }),
      refreshToken,
      tokenType: 'Bearer',
      expiresIn: tokens.ttlSeconds,
      refreshExpiresIn: refreshTtlSeconds,
      workspaceId: workspaceId ?? null,
      account: accountDto(account),
      workspaces: memberships.flatMap((m) => (isRole(m.role) ? [workspaceDto({ role: m.role, tenant: m.tenant })] : [])),
    };
  }

  /** Revokes every refresh token of the families, and their access tokens at once. */
  private async revokeFamilies(accountId: string, familyIds: string[]): Promise<void> {
    await this.prisma.$transaction(async (tx) => {
      await lockSessions(tx, accountId);
      await tx.refreshToken.updateMany({ where: { familyId: { in: familyIds }, revokedAt: null }, data: { revokedAt: this.now() } });
    });
    await this.options.revocations.revoke(familyIds);
  }

  private dummyHash(): Promise<string> {
    return (this.dummy ??= hashPassword(randomBytes(16).toString('hex'), this.options.passwordParams));
  }
}
