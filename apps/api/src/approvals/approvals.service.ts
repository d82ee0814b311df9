import { WorkflowUpdateRPCTimeoutOrCancelledError, type Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/common';
import { FormTokens, type PrismaClient } from '@weft/activities';
import {
  DECIDE_APPROVAL_UPDATE,
  NotFoundError,
  describe,
  temporalWorkflowIdFor,
  type ApprovalActor,
  type ApprovalDecisionRequest,
  type ApprovalDecisionResult,
  type ApprovalStatus,
} from '@weft/domain';
import type { AuditActor, AuditLog } from '../audit/audit-log';
import { DependencyUnavailableError } from '../http/http.errors';
import { ApprovalError, approvalClosed, approvalNotFound, formLinkGone, formLinkInvalid, fromUpdateFailure } from './approval.errors';
import { withDecision, type ApprovalRow } from './approvals.dto';
import type { DecideBody } from './approvals.schemas';

export interface ApprovalsServiceOptions {
  /** WEFT_ENCRYPTION_KEY: form links are checked with the key derived from it */
  encryptionKey: string;
  /** how long a decision waits for the run's workflow to accept and record it, at most (then 503) */
  decideTimeoutMs: number;
}

export interface ApprovalFilters {
  status?: ApprovalStatus;
  runId?: string;
  workflowId?: string;
}

const AUDIT_ACTOR: Record<ApprovalActor['kind'], (id: string) => AuditActor> = {
  'api-key': (id) => ({ type: 'api_key', id }),
  account: (id) => ({ type: 'account', id }),
  // a signed link is the same for everyone it was sent to: the approval it names is the actor's id
  form: (id) => ({ type: 'form_link', id }),
};

/**
 * What the audit log keeps of a decision: the action, the comment, the role it was taken with, and
 * the NAMES of the values given, not the values. They are a person's answers (possibly personal),
 * the approval keeps them, and an append-only log could never forget them again.
 */
function decisionSummary(row: ApprovalRow, actor: ApprovalActor) {
  const values = row.values !== null && typeof row.values === 'object' && !Array.isArray(row.values) ? Object.keys(row.values).sort() : [];
  return { status: row.status, action: row.action, comment: row.comment, fields: values, ...(actor.role ? { role: actor.role } : {}) };
}

/**
 * Approvals: read from the `approvals` table (tenant-scoped), decided through the run's workflow.
 * A decision is the `weft.decideApproval` Update: its validator refuses what cannot be accepted
 * (with a catalogue code as the failure's type, mapped here to that code's status) before anything
 * is written to history, and an accepted one returns once the workflow has recorded it.
 */
export class ApprovalsService {
  private readonly forms: FormTokens;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly temporal: Client,
    private readonly options: ApprovalsServiceOptions,
    private readonly audit: AuditLog,
  ) {
    this.forms = new FormTokens(options.encryptionKey);
  }

  async list(tenantId: string, window: { skip: number; take: number; order: 'asc' | 'desc' }, filters: ApprovalFilters) {
    const where = { tenantId, ...(filters.status ? { status: filters.status } : {}), ...(filters.runId ? { runId: filters.runId } : {}), ...(filters.workflowId ? { workflowId: filters.workflowId } : {}) };
    const [items, total] = await this.prisma.$transaction([
      this.prisma.approval.findMany({ where, skip: window.skip, take: window.take, orderBy: [{ requestedAt: window.order }, { id: window.order }] }),
      this.prisma.approval.count({ where }),
    ]);
    return { items, total };
  }

  async get(tenantId: string, id: string): Promise<ApprovalRow> {
    const row = await this.prisma.approval.findFirst({ where: { id, tenantId } });
    if (!row) throw approvalNotFound(id);
    return row;
  }

  /**
   * The one pending approval of a run at a node. Several (an iteration's items, a loop's passes,
   * parallel branches through one node) are ambiguous: the caller picks one of the candidates by id.
   */
  async pendingAtNode(tenantId: string, runId: string, nodeId: string): Promise<ApprovalRow> {
    const run = await this.prisma.run.findFirst({ where: { id: runId, tenantId }, select: { id: true } });
    if (!run) throw new NotFoundError('run', runId);
    // Only pending rows are candidates: a loop's earlier passes may have left any number of closed ones.
    const order = [{ loopIndex: 'asc' as const }, { iterationIndex: 'asc' as const }, { requestedAt: 'asc' as const }, { id: 'asc' as const }];
    const pending = await this.prisma.approval.findMany({ where: { tenantId, runId, nodeId, status: 'pending' }, orderBy: order, take: 1000 });
    if (pending.length === 1) return pending[0]!;
    if (pending.length > 1) {
      const candidates = pending.map((r) => ({
        id: r.id,
        nodeKey: r.nodeKey,
        ...(r.iterationIndex !== null ? { iterationIndex: r.iterationIndex } : {}),
        ...(r.loopIndex !== null ? { loopIndex: r.loopIndex } : {}),
      }));
      throw new ApprovalError('approval_ambiguous', describe('approval_ambiguous', { nodeId, count: pending.length }), { candidates });
    }
    const last = await this.prisma.approval.findFirst({ where: { tenantId, runId, nodeId }, orderBy: [{ loopIndex: 'desc' }, { iterationIndex: 'desc' }, { requestedAt: 'desc' }, { id: 'desc' }] });
    if (last) throw approvalClosed(last.id, last.status);
    throw new ApprovalError('approval_not_found', `node '${nodeId}' of run '${runId}' has no approval`, { nodeId });
  }

  /**
   * The approval a form token names, while it can still be decided. A token we did not sign, or
   * one whose expiry is not the approval's, is invalid (404); one for an approval that is no
   * longer pending, or past its expiry, is gone (410).
   */
  async formApproval(token: string): Promise<ApprovalRow> {
    const check = this.forms.verify(token);
    if (!check.ok) throw check.reason === 'expired' ? formLinkGone('expired') : formLinkInvalid();
    const row = await this.prisma.approval.findUnique({ where: { id: check.claims.approvalId } });
    if (!row || row.expiresAt.getTime() !== check.claims.expiresAt.getTime()) throw formLinkInvalid();
    if (row.status !== 'pending') throw formLinkGone(row.status);
    if (row.expiresAt.getTime() <= Date.now()) throw formLinkGone('expired');
    return row;
  }

  /**
   * Sends the decision to the run's workflow; answers with the decided approval. The decision is
   * recorded in the audit log once the workflow has accepted it (`requestId`: the request's).
   */
  async decide(row: ApprovalRow, body: DecideBody, actor: ApprovalActor, requestId: string): Promise<ApprovalRow> {
    if (row.status !== 'pending') throw approvalClosed(row.id, row.status);
    const request: ApprovalDecisionRequest = {
      approvalId: row.id,
      action: body.action,
      ...(body.values !== undefined ? { values: body.values } : {}),
      ...(body.comment !== undefined ? { comment: body.comment } : {}),
      actor,
    };
    const handle = this.temporal.workflow.getHandle(temporalWorkflowIdFor(row.runId));
    let result: ApprovalDecisionResult;
    try {
      result = await this.temporal.withDeadline(Date.now() + this.options.decideTimeoutMs, () =>
        handle.executeUpdate<ApprovalDecisionResult, [ApprovalDecisionRequest]>(DECIDE_APPROVAL_UPDATE, { args: [request] }),
      );
    } catch (err) {
      throw await this.refusal(row, err);
    }
    const after = withDecision((await this.prisma.approval.findUnique({ where: { id: row.id } })) ?? row, result);
    await this.audit.record({
      tenantId: row.tenantId,
      actor: AUDIT_ACTOR[actor.kind](actor.id),
      requestId,
      action: 'approval.decide',
      objectType: 'approval',
      objectId: row.id,
      before: { runId: row.runId, nodeId: row.nodeId, status: row.status },
      after: decisionSummary(after, actor),
    });
    return after;
  }

  /** What a failed Update means for the client. */
  private async refusal(row: ApprovalRow, err: unknown): Promise<unknown> {
    const refused = fromUpdateFailure(err);
    if (refused) return refused;
    if (err instanceof WorkflowNotFoundError) {
      // The run's workflow has ended: nothing is open in it any more, whatever the row still says.
      const now = await this.prisma.approval.findUnique({ where: { id: row.id }, select: { status: true } });
      const status = now && now.status !== 'pending' ? now.status : 'cancelled';
      return approvalClosed(row.id, status);
    }
    // Accepted or not, the workflow did not answer in time (no worker polling, a stuck task).
    if (err instanceof WorkflowUpdateRPCTimeoutOrCancelledError) return new DependencyUnavailableError('temporal', err);
    return err;
  }
}
