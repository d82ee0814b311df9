import { z } from 'zod';
import type { ApiKey } from '@weft/activities';
import { ROLES } from '@weft/domain';
import { timestamp } from '../http/dto-fields';

/** A key as the API shows it: what it is and can do, never its secret nor its hash. */
export const apiKeySchema = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string().meta({ description: 'the first characters of the key, to tell keys apart' }),
  role: z.enum(ROLES),
  scopes: z.array(z.string()).meta({ description: 'empty: everything the role may do' }),
  createdBy: z.string().nullable().meta({ description: 'the account or key that made it (null: the command-line tool)' }),
  createdAt: timestamp,
  expiresAt: timestamp.nullable(),
  lastUsedAt: timestamp.nullable().meta({ description: 'exact to within WEFT_API_KEY_LAST_USED_INTERVAL_MS' }),
  revokedAt: timestamp.nullable(),
  rotatedFrom: z.string().nullable().meta({ description: 'the key this one replaced' }),
});
export type ApiKeyDto = z.infer<typeof apiKeySchema>;

/** A key just made (create, rotate): the DTO and the key itself, shown this once. */
export const newApiKeySchema = apiKeySchema.extend({
  key: z.string().meta({ description: 'the key (sk-…): shown only in this answer, stored only as a hash' }),
});
export type NewApiKeyDto = z.infer<typeof newApiKeySchema>;

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function apiKeyDto(k: ApiKey): ApiKeyDto {
  return {
    id: k.id,
    name: k.name,
    prefix: k.prefix,
    role: k.role as ApiKeyDto['role'],
    scopes: k.scopes,
    createdBy: k.createdBy,
    createdAt: k.createdAt.toISOString(),
    expiresAt: iso(k.expiresAt),
    lastUsedAt: iso(k.lastUsedAt),
    revokedAt: iso(k.revokedAt),
    rotatedFrom: k.rotatedFrom,
  };
}
