import { toStorableValue, type ChildRunRecord, type RunRecordActivities } from '@weft/domain';
import type { PrismaClient } from '../persistence/prisma-client';
import { type Prisma } from '../persistence/prisma-client';
import type { RunEventStream } from '../events/run-event-stream';
import { boundedField } from '../events/event-payload';
import { NodeEvents } from '../events/node-events';
import { saveNodeRecords } from './node-records.repository';
import type { BlobStore } from '../nodes/blob-store';
import type { Logger } from '../observability/logger';
import type { WorkerMetrics } from '../observability/metrics';
import { STORE_MAX_DEPTH, storableJson } from './storable';

export interface RunRecordDeps {
  prisma: PrismaClient;
  events: RunEventStream;
  logger: Logger;
  blobs?: BlobStore;
  /** runs finished and node executions recorded (the worker's /metrics); none in tests that do not look */
  metrics?: WorkerMetrics;
}

/** Creates a child run's record the first time its workflow starts (a retried start finds it there). */
async function createChildRecord(prisma: PrismaClient, runId: string, tenantId: string, temporalRunId: string, startedAt: Date, child: ChildRunRecord) {
  const { parent } = child;
  await prisma.run.upsert({
    where: { id: runId },
    create: {
      id: runId,
      tenantId,
      workflowId: child.workflowId,
      version: child.version,
      status: 'running',
      inputs: storableJson(child.inputs) as Prisma.InputJsonValue,
      temporalWorkflowId: child.temporalWorkflowId,
      temporalRunId,
      startedAt,
      parentRunId: parent.runId,
      parentNodeId: parent.nodeId ?? null,
      parentNodeKey: parent.nodeKey,
      parentIterationIndex: parent.iterationIndex ?? null,
      parentLoopIndex: parent.loopIndex ?? null,
    },
    update: {},
  });
}

/**
 * Keeps the run's PostgreSQL record and event stream in step with the workflow. Every activity is
 * idempotent: a retry after a lost response writes the same row and at most repeats an event.
 * Values are made storable before they are written, so no value a run produced can keep its end
 * from being recorded.
 */
export function createRunRecordActivities({ prisma, events, logger, blobs, metrics }: RunRecordDeps): RunRecordActivities {
  // The event stream is best effort: Redis being away must not keep the record from being written
  // (nor make the workflow retry a write that already landed). A run starts and ends once: its
  // event is published once, however often a lost response makes Temporal retry the activity.
  const nodeEvents = new NodeEvents(events, logger);
  const publishOnce = async (runId: string, type: 'run.started' | 'run.finished', data: Record<string, unknown>, final = false) => {
    try {
      await events.publishOnce(runId, type, type, data, final);
    } catch (err) {
      logger.warn('run event could not be published', { runId, type, message: (err as Error).message });
    }
  };
  const exists = async (runId: string, tenantId: string) => !!(await prisma.run.findFirst({ where: { id: runId, tenantId }, select: { id: true } }));

  return {
    async recordRunStarted({ runId, tenantId, temporalRunId, startedAt, child }) {
      if (child) await createChildRecord(prisma, runId, tenantId, temporalRunId, new Date(startedAt), child);
      await prisma.run.updateMany({
        where: { id: runId, tenantId },
        data: { status: 'running', temporalRunId, startedAt: new Date(startedAt) },
      });
      await publishOnce(runId, 'run.started', { runId, startedAt });
      logger.info('run started', { runId, tenantId, ...(child ? { parentRunId: child.parent.runId } : {}) });
    },

    async recordNodes({ runId, tenantId, records }) {
      if (!(await exists(runId, tenantId))) {
        logger.warn('run record is gone; its node records are not written', { runId, tenantId, count: records.length });
        return;
      }
      await saveNodeRecords(prisma, tenantId, runId, records);
      metrics?.nodesRecorded(records);
      await nodeEvents.recordsLanded(runId, records);
    },

    async recordRunFinished({ runId, tenantId, status, outputs, error, finishedAt, records, started, closeApprovals }) {
      // A run that never waited writes its start here, with its end: the child's record made, the
      // start's fields set with the end's, and run.started published before any other event.
      if (started?.child) await createChildRecord(prisma, runId, tenantId, started.temporalRunId, new Date(started.startedAt), started.child);
      if (started) await publishOnce(runId, 'run.started', { runId, startedAt: started.startedAt });
      // A run record that was deleted (its tenant removed, a test database emptied) can never be
      // written, so it is reported once and left alone. Asked only when a write found nothing (or
      // failed): the common case costs no extra round trip.
      const gone = async () => {
        if (await exists(runId, tenantId)) return false;
        logger.warn('run record is gone; its end is not recorded', { runId, tenantId, status });
        return true;
      };
      try {
        await saveNodeRecords(prisma, tenantId, runId, records ?? []);
      } catch (err) {
        if (await gone()) return;
        throw err;
      }
      metrics?.nodesRecorded(records);
      // Run outputs are served whole: values kept outside history are put back here.
      if (blobs) outputs = await blobs.inflate(tenantId, outputs, { runId });
      const stored = toStorableValue(outputs, { maxDepth: STORE_MAX_DEPTH });
      // The node records have landed: their events, the run's end and the closing of its open
      // approvals go out together (independent writes); run.finished only once all have landed.
      const [, ended] = await Promise.all([
        nodeEvents.recordsLanded(runId, records ?? []),
        prisma.run.updateMany({
          where: { id: runId, tenantId },
          data: {
            status,
            outputs: stored as Prisma.InputJsonValue,
            error: storableJson(error),
            finishedAt: new Date(finishedAt),
            ...(started ? { temporalRunId: started.temporalRunId, startedAt: new Date(started.startedAt) } : {}),
          },
        }),
        // Nothing waits for a person once the run has ended: every approval still open closes with it.
        closeApprovals === false ? undefined : prisma.approval.updateMany({ where: { runId, tenantId, status: 'pending' }, data: { status: 'cancelled', decidedAt: new Date(finishedAt) } }),
      ]);
      if (ended.count === 0 && (await gone())) return;
      metrics?.runFinished(status);
      await publishOnce(runId, 'run.finished', { runId, status, ...boundedField('outputs', stored), error: error ?? null, finishedAt }, true);
      logger.info('run finished', { runId, tenantId, status });
    },
  };
}
