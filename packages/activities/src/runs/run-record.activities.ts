import type { RunRecordActivities } from '@weft/domain';
import type { PrismaClient } from '../persistence/prisma-client';
import { Prisma } from '../persistence/prisma-client';
import type { RunEventStream } from '../events/run-event-stream';
import { saveNodeRecords } from './node-records.repository';
import type { BlobStore } from '../nodes/blob-store';
import type { Logger } from '../observability/logger';

export interface RunRecordDeps {
  prisma: PrismaClient;
  events: RunEventStream;
  logger: Logger;
  blobs?: BlobStore;
}

/**
 * Keeps the run's PostgreSQL record and event stream in step with the workflow. Both activities
 * are idempotent: a retry after a lost response writes the same row and at most repeats an event.
 */
export function createRunRecordActivities({ prisma, events, logger, blobs }: RunRecordDeps): RunRecordActivities {
  return {
    async recordRunStarted({ runId, tenantId, temporalRunId, startedAt }) {
      await prisma.run.updateMany({
        where: { id: runId, tenantId },
        data: { status: 'running', temporalRunId, startedAt: new Date(startedAt) },
      });
      await events.publish(runId, 'run.started', { runId, startedAt });
      logger.info('run started', { runId, tenantId });
    },

    async recordRunFinished({ runId, tenantId, status, outputs, error, finishedAt, records }) {
      // This activity retries without a limit; a run record that was deleted (its tenant removed,
      // a test database emptied) can never be written, so it is reported once and left alone.
      if (!(await prisma.run.findFirst({ where: { id: runId, tenantId }, select: { id: true } }))) {
        logger.warn('run record is gone; its end is not recorded', { runId, tenantId, status });
        return;
      }
      await saveNodeRecords(prisma, tenantId, runId, records ?? []);
      // Run outputs are served whole: values kept outside history are put back here.
      if (blobs) outputs = await blobs.inflate(tenantId, outputs);
      await prisma.run.updateMany({
        where: { id: runId, tenantId },
        data: {
          status,
          outputs: outputs as Prisma.InputJsonValue,
          error: error ? (error as unknown as Prisma.InputJsonValue) : Prisma.DbNull,
          finishedAt: new Date(finishedAt),
        },
      });
      await events.publish(runId, 'run.finished', { runId, status, outputs, error: error ?? null, finishedAt }, true);
      logger.info('run finished', { runId, tenantId, status });
    },
  };
}
