import { z } from 'zod';
import { ROLES } from '@weft/domain';
import { SCOPES } from '../auth/permissions';
import { paginationQuery } from '../http/pagination';
import { timestamp } from '../http/dto-fields';

/** The furthest a key's expiry may be. */
export const MAX_KEY_DAYS = 3650;

export const keyParams = z.object({ id: z.string().min(1).max(100) });

export const createKeyBody = z
  .object({
    name: z.string().trim().min(1).max(100),
    role: z.enum(ROLES),
    scopes: z.array(z.enum(SCOPES)).min(1).max(SCOPES.length * 2).optional().meta({ description: "narrower than the role: a non-empty subset of the scopes the role can use (absent: everything the role may do)" }),
    expiresAt: timestamp.optional().meta({ description: 'when the key stops working (in the future, at most 3650 days away)' }),
    expiresInDays: z.number().int().min(1).max(MAX_KEY_DAYS).optional().meta({ description: 'or: the key stops working this many days from now' }),
  })
  .strict()
  .refine((b) => b.expiresAt === undefined || b.expiresInDays === undefined, { message: 'give expiresAt or expiresInDays, not both', path: ['expiresInDays'] })
  .meta({ examples: [{ name: 'ci', role: 'operator', scopes: ['runs:write', 'runs:read'], expiresInDays: 90 }] });
export type CreateKeyBody = z.infer<typeof createKeyBody>;

export const listKeysQuery = z
  .object({ ...paginationQuery, state: z.enum(['active', 'revoked', 'all']).default('all').meta({ description: 'active: neither revoked nor expired' }) })
  .strict();
