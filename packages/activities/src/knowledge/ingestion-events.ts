import { attemptOfIngestionWorkflow, type DocumentStatus, type IngestionCounts, type IngestionEventType, type JobStatus } from '@weft/domain';
import type { Logger } from '../observability/logger';
import type { WorkerMetrics } from '../observability/metrics';
import type { PrismaClient } from '../persistence/prisma-client';
import type { RunEventStream } from '../events/run-event-stream';

export interface DocumentStatusEvent {
  documentId: string;
  name: string;
  status: DocumentStatus;
  error?: { code: string; message: string };
}

/** Percent of the job's documents that ended (completed or error), 0–100. */
export function progressOf(counts: IngestionCounts): number {
  return counts.total === 0 ? 100 : Math.floor(((counts.succeeded + counts.failed) * 100) / counts.total);
}

/** The job's counts over all its documents, read from their statuses (the documents are the truth, not the workflow). */
export async function jobCounts(prisma: Pick<PrismaClient, 'knowledgeDocument'>, tenantId: string, jobId: string): Promise<IngestionCounts> {
  const groups = await prisma.knowledgeDocument.groupBy({ by: ['status'], where: { tenantId, jobs: { some: { jobId } } }, _count: { _all: true } });
  const of = (status: DocumentStatus) => groups.find((g) => g.status === status)?._count._all ?? 0;
  return { total: groups.reduce((n, g) => n + g._count._all, 0), succeeded: of('completed'), failed: of('error') };
}

/**
 * A job's events on its event stream (RunEventStream, the job id as the stream id), read by
 * GET /v1/ingestion-jobs/:id/events. Status changes and the job's start and end are published
 * once per attempt whatever the activity retries (publishOnce, keyed by the attempt); progress is
 * published after each document ends. Publishing is best effort: the statuses in PostgreSQL are
 * the truth, and Redis being away never fails (nor repeats) a step.
 */
export class IngestionEvents {
  constructor(
    private readonly stream: RunEventStream,
    private readonly prisma: PrismaClient,
    private readonly logger: Logger,
    /** documents whose indexing ended (the worker's /metrics) */
    private readonly metrics?: Pick<WorkerMetrics, 'documentFinished'>,
  ) {}

  async documentStatus(step: { jobId: string; attemptKey: string }, event: DocumentStatusEvent): Promise<void> {
    if (event.status === 'completed' || event.status === 'error') this.metrics?.documentFinished(event.status);
    await this.once(step.jobId, `${step.attemptKey}:${event.documentId}:${event.status}`, 'document.status', { ...event });
  }

  async progress(tenantId: string, jobId: string): Promise<void> {
    try {
      const counts = await jobCounts(this.prisma, tenantId, jobId);
      await this.stream.publish(jobId, 'job.progress', { ...counts, progress: progressOf(counts) });
    } catch (err) {
      this.logger.warn('job progress event not published', { jobId, error: String(err) });
    }
  }

  async started(step: { jobId: string; attemptKey: string }, data: { documents: number } & IngestionCounts): Promise<void> {
    await this.once(step.jobId, `${step.attemptKey}:job.started`, 'job.started', { attempt: attemptOfIngestionWorkflow(step.jobId, step.attemptKey), ...data, progress: progressOf(data) });
  }

  async finished(step: { jobId: string; attemptKey: string }, data: { status: JobStatus } & IngestionCounts): Promise<void> {
    await this.once(step.jobId, `${step.attemptKey}:job.finished`, 'job.finished', { attempt: attemptOfIngestionWorkflow(step.jobId, step.attemptKey), ...data, progress: progressOf(data) }, true);
  }

  private async once(jobId: string, key: string, type: IngestionEventType, data: Record<string, unknown>, final = false): Promise<void> {
    try {
      await this.stream.publishOnce(jobId, key, type, data, final);
    } catch (err) {
      this.logger.warn('ingestion event not published', { jobId, type, error: String(err) });
    }
  }
}
