import type { ApprovalActivities, OpenedApproval } from '@weft/domain';
import { NodeEvents } from '../events/node-events';
import type { RunEventStream } from '../events/run-event-stream';
import type { Logger } from '../observability/logger';
import type { Prisma, PrismaClient } from '../persistence/prisma-client';
import { saveNodeRecords } from '../runs/node-records.repository';
import { storableJson } from '../runs/storable';

export interface ApprovalRecordDeps {
  prisma: PrismaClient;
  events: RunEventStream;
  logger: Logger;
}

/** The approval activities the workflow runs locally (the notice is another, slower, activity). */
export type ApprovalRecordActivities = Omit<ApprovalActivities, 'deliverApprovalNotice'>;

/** What `approval.requested` carries: what a person needs to decide, nothing internal. */
export function approvalView(a: OpenedApproval) {
  return {
    approvalId: a.approvalId,
    runId: a.runId,
    workflowId: a.workflowId,
    nodeId: a.nodeId,
    nodeKey: a.nodeKey,
    ...(a.iterationIndex !== undefined ? { iterationIndex: a.iterationIndex } : {}),
    ...(a.loopIndex !== undefined ? { loopIndex: a.loopIndex } : {}),
    prompt: a.prompt,
    fields: a.fields,
    actions: a.actions,
    requestedAt: a.requestedAt,
    expiresAt: a.expiresAt,
  };
}

/**
 * Keeps the `approvals` table, the run's status and its event stream in step with the workflow.
 * Idempotent: a retried write lands the same row; a status only moves from one open status to
 * another (never over a run's end), a decision or closing only from `pending`.
 */
export function createApprovalRecordActivities({ prisma, events, logger }: ApprovalRecordDeps): ApprovalRecordActivities {
  const nodeEvents = new NodeEvents(events, logger);
  const publish = async (runId: string, type: string, data: Record<string, unknown>) => {
    try {
      await events.publish(runId, type, data);
    } catch (err) {
      logger.warn('run event could not be published', { runId, type, message: (err as Error).message });
    }
  };

  return {
    async openApproval({ approval: a, records }) {
      if (records?.length) {
        await saveNodeRecords(prisma, a.tenantId, a.runId, records);
        await nodeEvents.recordsLanded(a.runId, records);
      }
      const run = await prisma.run.findFirst({ where: { id: a.runId, tenantId: a.tenantId }, select: { id: true } });
      if (!run) {
        logger.warn('run record is gone; its approval is not stored', { runId: a.runId, approvalId: a.approvalId });
        return;
      }
      const created = await prisma.approval.upsert({
        where: { id: a.approvalId },
        create: {
          id: a.approvalId,
          tenantId: a.tenantId,
          runId: a.runId,
          workflowId: a.workflowId,
          nodeId: a.nodeId,
          nodeKey: a.nodeKey,
          iterationIndex: a.iterationIndex ?? null,
          loopIndex: a.loopIndex ?? null,
          prompt: a.prompt,
          fields: storableJson(a.fields) as Prisma.InputJsonValue,
          actions: storableJson(a.actions) as Prisma.InputJsonValue,
          allowedRoles: storableJson(a.allowedRoles),
          notify: storableJson(a.notify),
          status: 'pending',
          requestedAt: new Date(a.requestedAt),
          expiresAt: new Date(a.expiresAt),
        },
        update: {},
        select: { status: true },
      });
      // A retry after the event went out publishes it again only while the approval is still open.
      if (created.status === 'pending') {
        // The approval node starts when its approval opens (its record lands once it is decided).
        const node = { nodeId: a.nodeId, key: a.nodeKey, type: 'approval', ...(a.iterationIndex !== undefined ? { iterationIndex: a.iterationIndex } : {}), ...(a.loopIndex !== undefined ? { loopIndex: a.loopIndex } : {}) };
        await nodeEvents.attemptStarted(a.runId, node, 1, new Date(a.requestedAt));
        await publish(a.runId, 'approval.requested', approvalView(a));
      }
      logger.info('approval requested', { runId: a.runId, tenantId: a.tenantId, approvalId: a.approvalId, nodeKey: a.nodeKey });
    },

    async recordApprovalDecided({ tenantId, runId, decision }) {
      const { count } = await prisma.approval.updateMany({
        where: { id: decision.approvalId, tenantId, status: 'pending' },
        data: {
          status: 'decided',
          action: decision.action,
          values: storableJson(decision.values),
          actor: storableJson(decision.actor),
          comment: decision.comment,
          decidedAt: new Date(decision.decidedAt),
        },
      });
      if (count) await publish(runId, 'approval.decided', { ...decision, runId });
      logger.info('approval decided', { runId, tenantId, approvalId: decision.approvalId, action: decision.action, actor: decision.actor.kind });
    },

    async recordApprovalClosed({ tenantId, runId, approvalId, status, closedAt }) {
      const { count } = await prisma.approval.updateMany({ where: { id: approvalId, tenantId, status: 'pending' }, data: { status, decidedAt: new Date(closedAt) } });
      if (count && status === 'expired') await publish(runId, 'approval.expired', { approvalId, runId, expiredAt: closedAt });
      if (count) logger.info(`approval ${status}`, { runId, tenantId, approvalId });
    },

    async recordRunStatus({ tenantId, runId, status, event, at }) {
      await prisma.run.updateMany({ where: { id: runId, tenantId, status: { in: ['queued', 'running', 'waiting', 'paused'] } }, data: { status } });
      if (event) await publish(runId, event, { runId, status, at });
    },
  };
}
