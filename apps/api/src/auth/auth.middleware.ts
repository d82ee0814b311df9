import type { NextFunction, Request, Response } from 'express';
import type { PrismaClient } from '@weft/activities';
import { isRole } from '@weft/domain';
import { ForbiddenError, MalformedRequestError, UnauthorizedError } from '../http/http.errors';
import { AccountRequiredError, ScopeForbiddenError, WorkspaceNotFoundError, WorkspaceRequiredError } from './auth.errors';
import { ACCESS_TOKEN, type AccessTokens } from './access-tokens';
import { hashApiKey } from './api-keys';
import { ApiKeyCache } from './api-key-cache';
import type { AuthContext } from './auth-context';
import type { KeyRevocations } from '../api-keys/key-revocations';
import type { KeyUsage } from '../api-keys/key-usage';
import { allows, PERMISSIONS, type ActionKey, type WorkspaceAccess } from './permissions';

const BEARER = /^Bearer\s+(\S{1,8192})\s*$/;
const API_KEY = /^sk-[A-Za-z0-9_-]{16,128}$/;
const WORKSPACE_ID = /^[A-Za-z0-9_-]{1,64}$/;
export const WORKSPACE_HEADER = 'X-Workspace-Id';

export interface AuthenticateDeps {
  prisma: PrismaClient;
  tokens: AccessTokens;
  /** valid keys remembered briefly (api-key-cache.ts: how revocation reaches them) */
  keys?: ApiKeyCache;
  /** sessions signed out before their access tokens expire (accounts/session-revocations.ts) */
  sessions?: { isRevoked(sessionId: string): Promise<boolean> };
  /** revocations every process sees at once (api-keys/key-revocations.ts): read before a cached key is trusted */
  revocations?: KeyRevocations;
  /** records each key's last use (api-keys/key-usage.ts) */
  usage?: KeyUsage;
  now?: () => Date;
}

/**
 * Authenticates `Authorization: Bearer <API key or access token>`. An API key fixes the workspace
 * of everything after; an access token names the account, and the workspace comes from the
 * X-Workspace-Id header or the token's claim, checked against the account's memberships on every
 * request (a removed member is out at once). A workspace the caller does not belong to answers
 * 404 on every workspace route, as any other workspace's object does; the account's own routes
 * (GET /v1/workspaces, sign-out, password) still answer.
 */
export function authenticate({ prisma, tokens, keys = new ApiKeyCache(0), sessions, revocations, usage, now = () => new Date() }: AuthenticateDeps) {
  return async (req: Request, _res: Response, next: NextFunction) => {
    const match = BEARER.exec(req.header('authorization') ?? '');
    if (!match) throw new UnauthorizedError('Send an API key or an access token as "Authorization: Bearer ..."');
    const credential = match[1]!;
    const named = workspaceHeader(req);
    if (API_KEY.test(credential)) {
      const at = now();
      req.auth = await keyAuth(prisma, keys, revocations, credential, at);
      // Fire-and-forget: the request never waits for it (key-usage.ts).
      void usage?.used(req.auth.principal.id, at);
      if (named !== undefined && named !== req.auth.tenantId) throw new WorkspaceNotFoundError(named);
      return next();
    }
    const claims = ACCESS_TOKEN.test(credential) ? await tokens.verify(credential) : undefined;
    if (!claims) throw new UnauthorizedError('The access token is not valid or has expired: sign in again, or refresh it');
    // Signed out, or revoked for a reused refresh token: its access tokens stop at once, not at their expiry.
    if (sessions && (await sessions.isRevoked(claims.sid))) throw new UnauthorizedError('The session of this access token has ended: sign in again');
    req.account = { accountId: claims.sub, sessionId: claims.sid };
    const workspace = named ?? claims.ws;
    if (workspace !== undefined) {
      const member = await prisma.membership.findUnique({ where: { tenantId_accountId: { tenantId: workspace, accountId: claims.sub } } });
      if (member && isRole(member.role)) req.auth = { tenantId: workspace, role: member.role, scopes: [], principal: { type: 'account', id: claims.sub } };
      else req.workspaceRefused = workspace;
    }
    next();
  };
}

function workspaceHeader(req: Request): string | undefined {
  const value = req.header(WORKSPACE_HEADER);
  if (value === undefined) return undefined;
  if (!WORKSPACE_ID.test(value)) throw new MalformedRequestError('workspace_header_invalid', 'X-Workspace-Id is not a workspace id');
  return value;
}

async function keyAuth(prisma: PrismaClient, cache: ApiKeyCache, revocations: KeyRevocations | undefined, key: string, now: Date): Promise<AuthContext> {
  const hash = hashApiKey(key);
  const known = cache.get(hash);
  if (known && (!known.expiresAt || known.expiresAt > now.getTime())) {
    // A cached key is trusted only while no revocation marker says otherwise (key-revocations.ts);
    // when Redis cannot say, PostgreSQL is read as if the key were not cached.
    const revoked = revocations ? await revocations.isRevoked(known.keyId) : false;
    if (revoked === false) return known.auth;
    cache.invalidate(known.keyId);
  }
  const row = await prisma.apiKey.findUnique({ where: { hash } });
  if (!row || row.revokedAt || !isRole(row.role) || (row.expiresAt && row.expiresAt <= now)) throw new UnauthorizedError('The API key is not valid');
  const auth: AuthContext = { tenantId: row.tenantId, role: row.role, scopes: row.scopes, principal: { type: 'api_key', id: row.id } };
  cache.set(hash, { auth, keyId: row.id, ...(row.expiresAt ? { expiresAt: row.expiresAt.getTime() } : {}) });
  return auth;
}

function check(req: Request, entry: WorkspaceAccess): void {
  if (!req.auth) throw req.workspaceRefused !== undefined ? new WorkspaceNotFoundError(req.workspaceRefused) : new WorkspaceRequiredError();
  if (!entry.roles.includes(req.auth.role)) {
    throw new ForbiddenError(`This needs one of the roles: ${entry.roles.join(', ')} (the caller has '${req.auth.role}')`);
  }
  if (!allows(entry, req.auth.role, req.auth.scopes)) throw new ScopeForbiddenError(entry.scope);
}

/** Lets a workspace route's request through for the entry's roles and scope (the permission table's). */
export function requirePermission(entry: WorkspaceAccess) {
  return (req: Request, _res: Response, next: NextFunction) => {
    check(req, entry);
    next();
  };
}

/** Lets the request through for an account's access token only (no API key). */
export function requireAccount(req: Request, _res: Response, next: NextFunction): void {
  if (!req.account) throw new AccountRequiredError();
  next();
}

/** Whether the caller may do an action a handler checks inside a route (the table's `action:` entries). */
export function mayDo(req: Request, action: ActionKey): boolean {
  const entry = PERMISSIONS[action];
  return !!req.auth && allows(entry, req.auth.role, req.auth.scopes);
}

/** Throws the route's 403 when the caller may not do the action. */
export function requireAction(req: Request, action: ActionKey, what: string): void {
  const entry = PERMISSIONS[action];
  if (!mayDo(req, action)) {
    if (req.auth && entry.roles.includes(req.auth.role)) throw new ScopeForbiddenError(entry.scope);
    throw new ForbiddenError(`${what} needs one of the roles: ${entry.roles.join(', ')} (the caller has '${req.auth?.role ?? 'none'}')`);
  }
}

