import { z } from 'zod';
import { DURATION_BOUNDS } from '../../dsl/duration';
import { boundedDurationSchema } from '../../dsl/graph.schema';
import { defineNodeType } from '../node-type';
import { ROLES } from '../../tenancy/roles';

export const APPROVAL_TIMEOUT_HANDLE = 'timeout';
export const APPROVAL_FIELD_TYPES = ['text', 'paragraph', 'number', 'boolean', 'select'] as const;
export type ApprovalFieldType = (typeof APPROVAL_FIELD_TYPES)[number];
/** How long an approval stays open when its node sets no `timeout`: nothing parks for ever. */
export const APPROVAL_DEFAULT_TIMEOUT = '7d';
/** Fields of one approval: as many as one decision may carry values for (the API takes as many). */
export const APPROVAL_FIELDS_MAX = 100;

const fieldName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/);

const approvalFieldSchema = z
  .object({
    type: z.enum(APPROVAL_FIELD_TYPES),
    required: z.boolean().default(false),
    label: z.string().min(1).max(200).optional(),
    /** select only: the choices */
    options: z.array(z.string().min(1).max(200)).min(1).max(100).optional(),
    /** a value, or a reference resolved when the approval opens */
    default: z.unknown().optional(),
  })
  .strict()
  .refine((f) => (f.type === 'select') === (f.options !== undefined), { message: "'options' is required for a select field and allowed for no other" });

export const approvalDataSchema = z
  .object({
    prompt: z.string().min(1),
    fields: z
      .record(fieldName, approvalFieldSchema)
      .refine((f) => Object.keys(f).length <= APPROVAL_FIELDS_MAX, { message: `at most ${APPROVAL_FIELDS_MAX} fields` })
      .default({}),
    actions: z
      .array(z.object({ id: z.string().regex(/^[A-Za-z_][A-Za-z0-9_-]*$/), label: z.string().min(1) }).strict())
      .min(1)
      .max(20)
      .default([
        { id: 'approve', label: 'Approve' },
        { id: 'reject', label: 'Reject' },
      ]),
    /** 1 second to 366 days (DURATION_BOUNDS.approvalTimeout); absent: APPROVAL_DEFAULT_TIMEOUT */
    timeout: boundedDurationSchema(DURATION_BOUNDS.approvalTimeout).optional(),
    allowedRoles: z.array(z.enum(ROLES)).optional(),
    notify: z
      .object({
        /** HMAC-signed JSON with the form link, sent through the same SSRF guard as the HTTP node */
        webhook: z.string().min(1).max(2048).optional(),
        email: z.array(z.string().email().max(320)).min(1).max(20).optional(),
      })
      .strict()
      .optional(),
  })
  .strict()
  .refine((d) => new Set(d.actions.map((a) => a.id)).size === d.actions.length, { message: 'action ids must be unique', path: ['actions'] })
  .refine((d) => !d.actions.some((a) => a.id === APPROVAL_TIMEOUT_HANDLE || a.id === 'error'), { message: "'timeout' and 'error' are reserved handles", path: ['actions'] });
export type ApprovalData = z.infer<typeof approvalDataSchema>;

/** Waits for a person's decision; takes the handle of the chosen action, or `timeout`. */
export const approvalNode = defineNodeType({
  type: 'approval',
  version: 2,
  migrations: {
    // Version 1 had field types string/number/boolean; a string field is a one-line text field now.
    1: (data) => {
      if (!data || typeof data !== 'object' || !('fields' in data)) return data;
      const fields = (data as { fields?: unknown }).fields;
      if (!fields || typeof fields !== 'object') return data;
      const renamed = Object.fromEntries(Object.entries(fields).map(([k, f]) => [k, f && typeof f === 'object' && (f as { type?: unknown }).type === 'string' ? { ...f, type: 'text' } : f]));
      return { ...data, fields: renamed };
    },
  },
  dataSchema: approvalDataSchema,
  outputs: () => ['action', 'values', 'actor', 'decidedAt', 'comment'],
  handles: (d: ApprovalData) => [...d.actions.map((a) => a.id), APPROVAL_TIMEOUT_HANDLE],
  namedFields: ['fields'],
});
