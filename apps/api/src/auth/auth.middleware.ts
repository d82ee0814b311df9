import type { NextFunction, Request, Response } from 'express';
import type { PrismaClient } from '@weft/activities';
import { isRole, type Role } from '@weft/domain';
import { ForbiddenError, UnauthorizedError } from '../http/http.errors';
import { hashApiKey } from './api-keys';
import { ApiKeyCache } from './api-key-cache';

export interface AuthContext {
  tenantId: string;
  role: Role;
  keyId: string;
}

declare module 'express-serve-static-core' {
  interface Request {
    auth: AuthContext;
  }
}

const BEARER = /^Bearer\s+(sk-[A-Za-z0-9_-]{16,128})\s*$/;

/**
 * Authenticates `Authorization: Bearer sk-...`; the key fixes the tenant of everything after.
 * Valid keys are remembered briefly (api-key-cache.ts: how revocation reaches them).
 */
export function authenticate(prisma: PrismaClient, cache: ApiKeyCache = new ApiKeyCache(0)) {
  return async (req: Request, _res: Response, next: NextFunction) => {
    const match = BEARER.exec(req.header('authorization') ?? '');
    if (!match) throw new UnauthorizedError('Send an API key as "Authorization: Bearer sk-..."');
    const hash = hashApiKey(match[1]!);
    const known = cache.get(hash);
    if (known) {
      req.auth = known;
      return next();
    }
    const key = await prisma.apiKey.findUnique({ where: { hash } });
    if (!key || key.revokedAt || !isRole(key.role)) throw new UnauthorizedError('The API key is not valid');
    req.auth = { tenantId: key.tenantId, role: key.role, keyId: key.id };
    cache.set(hash, req.auth);
    next();
  };
}

/** Lets the request through only for keys with one of the roles. */
export function requireRole(...roles: Role[]) {
  return (req: Request, _res: Response, next: NextFunction) => {
    if (!roles.includes(req.auth.role)) {
      throw new ForbiddenError(`This needs one of the roles: ${roles.join(', ')} (the key has '${req.auth.role}')`);
    }
    next();
  };
}

/** Role sets by what a request does. */
export const CAN = {
  read: ['admin', 'developer', 'operator', 'viewer'],
  editWorkflows: ['admin', 'developer'],
  operateRuns: ['admin', 'developer', 'operator'],
  /** knowledge bases, their documents and ingestion jobs */
  editKnowledge: ['admin', 'developer'],
} as const satisfies Record<string, readonly Role[]>;
