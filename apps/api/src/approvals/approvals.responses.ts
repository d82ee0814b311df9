import { z } from 'zod';
import { APPROVAL_FIELD_TYPES, APPROVAL_STATUSES, ROLES } from '@weft/domain';
import { anyJson, timestamp } from '../http/dto-fields';

const fieldSchema = z.object({
  type: z.enum(APPROVAL_FIELD_TYPES),
  required: z.boolean(),
  label: z.string().optional(),
  options: z.array(z.string()).optional(),
  default: anyJson('the default, references already resolved').optional(),
});
const actionSchema = z.object({ id: z.string(), label: z.string() });
const actorSchema = z.object({ kind: z.enum(['api-key', 'form', 'account']), id: z.string(), role: z.enum(ROLES).optional() });
const noticeStatus = z.enum(['sent', 'failed', 'skipped']);

/**
 * An approval as the API shows it (approvalDto returns ApprovalDto, so the mapper and this schema
 * cannot disagree). Decision fields are there once it is decided.
 */
export const approvalSchema = z.object({
  id: z.string(),
  runId: z.string(),
  workflowId: z.string(),
  nodeId: z.string(),
  nodeKey: z.string().meta({ description: 'the node id with its iteration/loop indices: unique within the run' }),
  iterationIndex: z.number().int().min(0).optional(),
  loopIndex: z.number().int().min(0).optional(),
  prompt: z.string().meta({ description: 'the rendered markdown prompt' }),
  fields: z.record(z.string(), fieldSchema),
  actions: z.array(actionSchema),
  allowedRoles: z.array(z.enum(ROLES)).optional().meta({ description: 'the roles whose keys may decide; absent: operator, developer and admin' }),
  status: z.enum(APPROVAL_STATUSES),
  requestedAt: timestamp,
  expiresAt: timestamp,
  decidedAt: timestamp.optional(),
  action: z.string().optional(),
  values: z.record(z.string(), z.unknown()).optional(),
  actor: actorSchema.optional(),
  comment: z.string().nullable().optional(),
  delivery: z
    .object({ webhook: noticeStatus.optional(), email: noticeStatus.optional() })
    .optional()
    .meta({ description: 'how the notices went (node `notify`)' }),
});
export type ApprovalDto = z.infer<typeof approvalSchema>;

/** A form as a signed link shows it: what to decide and until when, nothing about the tenant. */
export const approvalFormSchema = z.object({
  prompt: z.string(),
  fields: z.record(z.string(), fieldSchema),
  actions: z.array(actionSchema),
  requestedAt: timestamp,
  expiresAt: timestamp,
});
export type ApprovalFormDto = z.infer<typeof approvalFormSchema>;

/** What a decision through a form link answers. */
export const formDecisionSchema = z.object({
  status: z.literal('decided'),
  action: z.string(),
  values: z.record(z.string(), z.unknown()),
  comment: z.string().nullable(),
  decidedAt: timestamp,
});
export type FormDecisionDto = z.infer<typeof formDecisionSchema>;
