import type { Express } from 'express';
import type { Redis } from 'ioredis';
import type { Logger, PrismaClient } from '@weft/activities';
import type { Role } from '@weft/domain';
import { accountRouter, ANONYMOUS_SESSION_PATHS, sessionRouter } from './accounts/accounts.router';
import { AccountsService } from './accounts/accounts.service';
import { SessionRevocations } from './accounts/session-revocations';
import { apiKeysRouter } from './api-keys/api-keys.router';
import { ApiKeysService } from './api-keys/api-keys.service';
import { KeyRevocations } from './api-keys/key-revocations';
import { KeyUsage } from './api-keys/key-usage';
import type { AuditLog } from './audit/audit-log';
import { AccessTokens } from './auth/access-tokens';
import { ApiKeyCache } from './auth/api-key-cache';
import { authenticate } from './auth/auth.middleware';
import { DEFAULT_PASSWORD_PARAMS } from './auth/passwords';
import type { ApiConfig } from './config';
import { AUTHENTICATED_PREFIX } from './http/route';
import { addressRateLimit, rateLimit } from './http/rate-limit';
import { InvitationLinks, acceptInvitation, type InvitationDeps } from './members/invitations';
import { invitationsRouter, membersRouter } from './members/members.router';
import { MembersService } from './members/members.service';
import { quotasRouter } from './quotas/quotas.router';
import type { QuotasService } from './quotas/quotas.service';

export interface AccessControlDeps {
  config: ApiConfig;
  prisma: PrismaClient;
  redis: Redis;
  logger: Logger;
  audit: AuditLog;
  quotas: QuotasService;
}

/**
 * Who may call what (README "Accounts, workspaces and roles"), mounted by createApp in this order:
 * the anonymous session routes (sign-up, sign-in, refresh: their own credential is the body), the
 * credential check on /v1 (an API key or an account's access token, with the workspace it names),
 * the request rate limits, then the routes of accounts, quotas, API keys, members and invitations.
 * Every router mounted after this needs credentials; the permission table (auth/permissions.ts)
 * says which roles.
 */
export function mountAccessControl(app: Express, { config, prisma, redis, logger, audit, quotas }: AccessControlDeps): void {
  // Everything under /v1 but the document, form links and the anonymous account routes needs an API
  // key or an access token, a path no route serves too (401 before 404).
  const apiKeys = new ApiKeyCache(config.WEFT_API_KEY_CACHE_MS);
  app.locals.apiKeys = apiKeys;
  const tokens = new AccessTokens(config.WEFT_ENCRYPTION_KEY, config.WEFT_ACCESS_TOKEN_TTL_SECONDS);
  app.locals.accessTokens = tokens;
  // Members and invitations; the sign-up flow accepts an invitation through them (members/invitations.ts acceptInvitation).
  const invitations: InvitationDeps = { prisma, links: new InvitationLinks(config.WEFT_ENCRYPTION_KEY), audit };
  app.locals.invitations = invitations;
  // Accounts and sessions (accounts/): sign-up, sign-in and refresh carry their own credential (the
  // body), so they come before the credential check; the rest needs an account's access token.
  const sessions = new SessionRevocations(redis, config.WEFT_ACCESS_TOKEN_TTL_SECONDS);
  const accounts = new AccountsService(prisma, {
    tokens,
    revocations: sessions,
    refreshTtlSeconds: config.WEFT_REFRESH_TOKEN_TTL_SECONDS,
    openSignup: config.WEFT_OPEN_SIGNUP,
    lockout: { maxFailures: config.WEFT_SIGNIN_MAX_FAILURES, lockSeconds: config.WEFT_SIGNIN_LOCK_SECONDS },
    passwordParams: { ...DEFAULT_PASSWORD_PARAMS, logN: config.WEFT_PASSWORD_HASH_LOG_N },
    acceptInvitation: async (tx, token, account, { requestId }) => {
      const accepted = await acceptInvitation(invitations, token, account.id, account.email, tx, { requestId });
      return { tenantId: accepted.tenant.id, role: accepted.membership.role as Role };
    },
    audit,
  });
  app.locals.accounts = accounts;
  // The anonymous session routes: limited per source address (http/rate-limit.ts addressRateLimit).
  if (config.WEFT_RATE_LIMIT_ADDRESS_PER_MINUTE > 0) {
    app.use(
      ANONYMOUS_SESSION_PATHS,
      addressRateLimit({ redis, logger, windowSeconds: config.WEFT_RATE_LIMIT_WINDOW_SECONDS, points: config.WEFT_RATE_LIMIT_ADDRESS_PER_MINUTE }),
    );
  }
  app.use(sessionRouter(accounts));
  // Revocations reach every process's cache at once (api-keys/key-revocations.ts).
  const revocations = new KeyRevocations(redis, apiKeys, config.WEFT_API_KEY_CACHE_MS);
  const keyUsage = new KeyUsage(prisma, logger, config.WEFT_API_KEY_LAST_USED_INTERVAL_MS);
  app.use(AUTHENTICATED_PREFIX, authenticate({ prisma, tokens, keys: apiKeys, sessions, revocations, usage: keyUsage }));
  // Rate limits per key (or account) and per workspace on everything with credentials (http/rate-limit.ts).
  app.use(
    AUTHENTICATED_PREFIX,
    rateLimit({
      redis,
      logger,
      windowSeconds: config.WEFT_RATE_LIMIT_WINDOW_SECONDS,
      accountDefault: config.WEFT_RATE_LIMIT_KEY_PER_MINUTE || null,
      limitsOf: async (tenantId) => {
        const q = await quotas.cached(tenantId);
        return { key: q.keyRequestsPerMinute.limit, workspace: q.requestsPerMinute.limit };
      },
    }),
  );
  app.use(accountRouter(accounts));
  app.use(quotasRouter(quotas));
  app.use(apiKeysRouter(new ApiKeysService({ prisma, audit, revocations })));
  // A removed or demoted member's keys and open invitations are revoked with the change (members/issued-by.ts).
  app.use(membersRouter(new MembersService(prisma, audit, (ids) => revocations.revoked(ids)), invitations));
  app.use(invitationsRouter(invitations));
}
