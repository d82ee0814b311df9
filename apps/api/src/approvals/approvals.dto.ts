import type { PrismaClient } from '@weft/activities';
import type { ApprovalAction, ApprovalActor, ApprovalDecisionResult, ApprovalFieldSpec, ApprovalStatus, Role } from '@weft/domain';
import type { ApprovalDto, ApprovalFormDto } from './approvals.responses';

/** A row of the `approvals` table (written by the workflow's approval activities). */
export type ApprovalRow = NonNullable<Awaited<ReturnType<PrismaClient['approval']['findUnique']>>>;

const object = <T>(value: unknown, fallback: T): T => (value && typeof value === 'object' ? (value as T) : fallback);
const notice = (v: unknown) => (v === 'sent' || v === 'failed' || v === 'skipped' ? v : undefined);

export function approvalDto(row: ApprovalRow): ApprovalDto {
  const delivery = object<Record<string, unknown> | null>(row.delivery, null);
  const webhook = notice(delivery?.webhook);
  const email = notice(delivery?.email);
  return {
    id: row.id,
    runId: row.runId,
    workflowId: row.workflowId,
    nodeId: row.nodeId,
    nodeKey: row.nodeKey,
    ...(row.iterationIndex !== null ? { iterationIndex: row.iterationIndex } : {}),
    ...(row.loopIndex !== null ? { loopIndex: row.loopIndex } : {}),
    prompt: row.prompt,
    fields: object<Record<string, ApprovalFieldSpec>>(row.fields, {}),
    actions: object<ApprovalAction[]>(row.actions, []),
    ...(Array.isArray(row.allowedRoles) ? { allowedRoles: row.allowedRoles as Role[] } : {}),
    status: row.status as ApprovalStatus,
    requestedAt: row.requestedAt.toISOString(),
    expiresAt: row.expiresAt.toISOString(),
    ...(row.decidedAt ? { decidedAt: row.decidedAt.toISOString() } : {}),
    ...(row.action !== null ? { action: row.action } : {}),
    ...(row.values !== null ? { values: object<Record<string, unknown>>(row.values, {}) } : {}),
    ...(row.actor !== null ? { actor: object<ApprovalActor>(row.actor, { kind: 'api-key', id: '' }) } : {}),
    ...(row.status === 'decided' ? { comment: row.comment } : {}),
    ...(webhook || email ? { delivery: { ...(webhook ? { webhook } : {}), ...(email ? { email } : {}) } } : {}),
  };
}

/**
 * The row with an accepted decision applied: the Update returns once the decision is recorded,
 * but the row read after it may be an instant behind (another API replica, a read replica).
 */
export function withDecision(row: ApprovalRow, decision: ApprovalDecisionResult): ApprovalRow {
  if (row.status === 'decided') return row;
  return {
    ...row,
    status: 'decided',
    decidedAt: new Date(decision.decidedAt),
    action: decision.action,
    values: decision.values as ApprovalRow['values'],
    actor: decision.actor as unknown as ApprovalRow['actor'],
    comment: decision.comment,
  };
}

export function approvalFormDto(row: ApprovalRow): ApprovalFormDto {
  return {
    prompt: row.prompt,
    fields: object<Record<string, ApprovalFieldSpec>>(row.fields, {}),
    actions: object<ApprovalAction[]>(row.actions, []),
    requestedAt: row.requestedAt.toISOString(),
    expiresAt: row.expiresAt.toISOString(),
  };
}
