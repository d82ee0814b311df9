import type { NextFunction, Request, Response } from 'express';
import type { Redis } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { Logger } from '@weft/activities';
import { RateLimitedError } from '../quotas/quota.errors';

export interface RateLimitDeps {
  redis: Redis;
  logger: Logger;
  windowSeconds: number;
  /** the workspace's limits (its quota row over the defaults; null: no limit) */
  limitsOf(tenantId: string): Promise<{ key: number | null; workspace: number | null }>;
  /** the limit of an account's requests that name no workspace (GET /v1/workspaces, …) */
  accountDefault: number | null;
}

interface Check {
  per: 'key' | 'account' | 'workspace';
  points: number;
  id: string;
}

/** How often a Redis failure is logged while it lasts. */
const WARN_EVERY_MS = 10_000;

/**
 * Request rate limits (README "Rate limits and quotas"), mounted after the credential check on
 * /v1: each API key (or account, for an access token) and each workspace may make so many
 * requests per window, counted in Redis (rate-limiter-flexible, fixed windows), so every API
 * process shares the counts. The key's limit is checked first: a key over its own limit uses
 * none of its workspace's. Answers carry `RateLimit-Limit`, `RateLimit-Remaining` and
 * `RateLimit-Reset` of the tighter limit; over it, 429 `rate_limited` with `Retry-After`.
 *
 * Redis unreachable: the request goes through unlimited (fail open) and a warning is logged, so
 * the limiter never turns a request into an error of its own; what else the request needs from
 * Redis answers for itself.
 */
export function rateLimit({ redis, logger, windowSeconds, limitsOf, accountDefault }: RateLimitDeps) {
  // One limiter per (kind, points): the counter (its key in Redis) is the same whatever the limit, so a changed limit applies to the current window.
  const limiters = new Map<string, RateLimiterRedis>();
  const limiter = (kind: 'key' | 'workspace', points: number) => {
    const name = `${kind}:${points}`;
    let found = limiters.get(name);
    if (!found) {
      found = new RateLimiterRedis({ storeClient: redis, keyPrefix: `weft:rl:${kind}`, points, duration: windowSeconds, rejectIfRedisNotReady: true });
      limiters.set(name, found);
    }
    return found;
  };
  let warnedAt = 0;

  return async (req: Request, res: Response, next: NextFunction) => {
    const checks: Check[] = [];
    if (req.auth) {
      const limits = await limitsOf(req.auth.tenantId);
      const { principal } = req.auth;
      if (limits.key !== null) checks.push({ per: principal.type === 'api_key' ? 'key' : 'account', points: limits.key, id: `${principal.type}:${principal.id}` });
      if (limits.workspace !== null) checks.push({ per: 'workspace', points: limits.workspace, id: req.auth.tenantId });
    } else if (req.account && accountDefault !== null) {
      checks.push({ per: 'account', points: accountDefault, id: `account:${req.account.accountId}` });
    }
    let tightest: { limit: number; remaining: number; resetMs: number } | undefined;
    for (const check of checks) {
      let used: RateLimiterRes;
      try {
        used = await limiter(check.per === 'workspace' ? 'workspace' : 'key', check.points).consume(check.id);
      } catch (err) {
        if (err instanceof RateLimiterRes) {
          const retryAfter = Math.max(1, Math.ceil(err.msBeforeNext / 1000));
          setHeaders(res, { limit: check.points, remaining: 0, resetMs: err.msBeforeNext });
          res.setHeader('Retry-After', String(retryAfter));
          throw new RateLimitedError(check.per, check.points, windowSeconds, retryAfter);
        }
        if (Date.now() - warnedAt > WARN_EVERY_MS) {
          warnedAt = Date.now();
          logger.warn('rate limits not applied: Redis is unreachable', { err: err instanceof Error ? err.message : String(err) });
        }
        return next();
      }
      if (!tightest || used.remainingPoints < tightest.remaining) tightest = { limit: check.points, remaining: used.remainingPoints, resetMs: used.msBeforeNext };
    }
    if (tightest) setHeaders(res, tightest);
    next();
  };
}

function setHeaders(res: Response, { limit, remaining, resetMs }: { limit: number; remaining: number; resetMs: number }): void {
  res.setHeader('RateLimit-Limit', String(limit));
  res.setHeader('RateLimit-Remaining', String(remaining));
  res.setHeader('RateLimit-Reset', String(Math.max(0, Math.ceil(resetMs / 1000))));
}

export interface AddressRateLimitDeps {
  redis: Redis;
  logger: Logger;
  windowSeconds: number;
  points: number;
}

/**
 * The anonymous session routes' limit (sign-up, sign-in, refresh): so many requests per window of
 * each source address, counted in Redis, with the same headers and 429 as the credential limits.
 * Their credential is the body, so the credential limits above never see them: without this, a
 * guessing flood across many emails (each below the account lockout) or a flood of scrypt work is
 * unlimited. Fails open when Redis is unreachable, as the others do.
 */
export function addressRateLimit({ redis, logger, windowSeconds, points }: AddressRateLimitDeps) {
  const limiter = new RateLimiterRedis({ storeClient: redis, keyPrefix: 'weft:rl:address', points, duration: windowSeconds, rejectIfRedisNotReady: true });
  let warnedAt = 0;
  return async (req: Request, res: Response, next: NextFunction) => {
    let used: RateLimiterRes;
    try {
      used = await limiter.consume(req.ip ?? req.socket.remoteAddress ?? 'unknown');
    } catch (err) {
      if (err instanceof RateLimiterRes) {
        const retryAfter = Math.max(1, Math.ceil(err.msBeforeNext / 1000));
        setHeaders(res, { limit: points, remaining: 0, resetMs: err.msBeforeNext });
        res.setHeader('Retry-After', String(retryAfter));
        throw new RateLimitedError('address', points, windowSeconds, retryAfter);
      }
      if (Date.now() - warnedAt > WARN_EVERY_MS) {
        warnedAt = Date.now();
        logger.warn('address rate limits not applied: Redis is unreachable', { err: err instanceof Error ? err.message : String(err) });
      }
      return next();
    }
    setHeaders(res, { limit: points, remaining: used.remainingPoints, resetMs: used.msBeforeNext });
    next();
  };
}
