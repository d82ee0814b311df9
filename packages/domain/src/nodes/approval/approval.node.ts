import { z } from 'zod';
import { DURATION_BOUNDS } from '../../dsl/duration';
import { boundedDurationSchema } from '../../dsl/graph.schema';
import { defineNodeType } from '../node-type';
import { ROLES } from '../../tenancy/roles';

export const APPROVAL_TIMEOUT_HANDLE = 'timeout';

export const approvalDataSchema = z
  .object({
    prompt: z.string().min(1),
    fields: z
      .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), z.object({ type: z.enum(['string', 'number', 'boolean']), required: z.boolean().default(false) }).strict())
      .default({}),
    actions: z
      .array(z.object({ id: z.string().regex(/^[A-Za-z_][A-Za-z0-9_-]*$/), label: z.string().min(1) }).strict())
      .min(1)
      .default([
        { id: 'approve', label: 'Approve' },
        { id: 'reject', label: 'Reject' },
      ]),
    /** 1 minute to 366 days (DURATION_BOUNDS.approvalTimeout) */
    timeout: boundedDurationSchema(DURATION_BOUNDS.approvalTimeout).optional(),
    allowedRoles: z.array(z.enum(ROLES)).optional(),
  })
  .strict()
  .refine((d) => new Set(d.actions.map((a) => a.id)).size === d.actions.length, { message: 'action ids must be unique', path: ['actions'] })
  .refine((d) => !d.actions.some((a) => a.id === APPROVAL_TIMEOUT_HANDLE || a.id === 'error'), { message: "'timeout' and 'error' are reserved handles", path: ['actions'] });
export type ApprovalData = z.infer<typeof approvalDataSchema>;

/** Waits for a person's decision; takes the handle of the chosen action, or `timeout`. */
export const approvalNode = defineNodeType({
  type: 'approval',
  version: 1,
  runnable: false,
  dataSchema: approvalDataSchema,
  outputs: () => ['action', 'values', 'actor', 'decidedAt', 'comment'],
  handles: (d: ApprovalData) => [...d.actions.map((a) => a.id), APPROVAL_TIMEOUT_HANDLE],
  namedFields: ['fields'],
});
