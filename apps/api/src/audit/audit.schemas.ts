import { z } from 'zod';
import type { AuditEntry } from '@weft/activities';
import { anyJson, timestamp } from '../http/dto-fields';
import { paginationQuery } from '../http/pagination';
import { timestampFilter } from '../http/ranges';
import type { AuditActor } from './audit-log';

export const AUDIT_ACTOR_TYPES = ['account', 'api_key', 'form_link', 'system'] as const satisfies readonly AuditActor['type'][];

const text = z.string().min(1).max(200);

export const listAuditQuery = z
  .object({
    ...paginationQuery,
    action: z
      .string()
      .regex(/^[a-z0-9_]{1,64}(\.[a-z0-9_]{1,64}){0,3}\.?$/, 'an action (workflow.create) or a prefix ending in "." (workflow.)')
      .optional()
      .meta({ description: 'an action (`workflow.create`), or every action of a prefix ending in `.` (`workflow.`)' }),
    objectType: text.optional(),
    objectId: text.optional(),
    actorType: z.enum(AUDIT_ACTOR_TYPES).optional(),
    actorId: text.optional(),
    from: timestampFilter.optional().meta({ description: 'entries at or after this time' }),
    to: timestampFilter.optional().meta({ description: 'entries before this time' }),
  })
  .strict();
export type ListAuditQuery = z.infer<typeof listAuditQuery>;

/** An entry of the audit log as the API shows it. */
export const auditEntrySchema = z.object({
  id: z.string().meta({ description: 'the entry\'s sequence number (64-bit), as a string' }),
  actor: z.object({
    type: z.string().meta({ enum: [...AUDIT_ACTOR_TYPES], description: 'form_link: a signed approval link, its id the approval\'s' }),
    id: z.string().nullable(),
  }),
  action: z.string().meta({ description: '`<object type>.<verb>`: workflow.create, secret.put, approval.decide, …' }),
  objectType: z.string(),
  objectId: z.string().nullable(),
  requestId: z.string().nullable().meta({ description: 'the X-Request-Id of the request that made the change' }),
  before: anyJson('a summary of the object before the change (null: it did not exist, or nothing to say); never a secret value'),
  after: anyJson('a summary of the object after the change (null: it was deleted); never a secret value'),
  createdAt: timestamp,
});
export type AuditEntryDto = z.infer<typeof auditEntrySchema>;

export function auditEntryDto(e: AuditEntry): AuditEntryDto {
  return {
    id: e.id.toString(),
    actor: { type: e.actorType, id: e.actorId },
    action: e.action,
    objectType: e.objectType,
    objectId: e.objectId,
    requestId: e.requestId,
    before: e.before ?? null,
    after: e.after ?? null,
    createdAt: e.createdAt.toISOString(),
  };
}
