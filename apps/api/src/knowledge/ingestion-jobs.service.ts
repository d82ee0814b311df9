import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { jobCounts, type IngestionEvents, type IngestionJob, type PrismaClient } from '@weft/activities';
import { INGESTION_JOB_WORKFLOW_TYPE, describe, ingestionWorkflowIdFor, type IngestionCounts, type IngestionJobInput, type JobStatus } from '@weft/domain';
import type { AuditContext, AuditLog } from '../audit/audit-log';
import { jobConflict, jobNotFound } from './knowledge-api.errors';
import { ACTIVE_JOB_STATUSES } from './knowledge.service';

export interface IngestionOptions {
  taskQueue: string;
  /** documents of a job indexed at once */
  concurrency: number;
}

/** How long a cancel waits to see a running job end before answering 202. */
const CANCEL_SETTLE_MS = 5_000;

export const isActiveJob = (status: string) => (ACTIVE_JOB_STATUSES as readonly string[]).includes(status);

/**
 * Ingestion jobs: start (the upload's documents, then a retry's failed ones), read with their
 * counts, cancel. The job's workflow (INGESTION_JOB_WORKFLOW_TYPE, on its own task queue) writes
 * the job's and its documents' statuses and publishes the job's events; this side only starts and
 * cancels it, and never leaves a job queued without a workflow: a start that fails is undone.
 */
export class IngestionJobsService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly temporal: Client,
    private readonly options: IngestionOptions,
    /** retries and cancels are recorded here once Temporal took them */
    private readonly audit: AuditLog,
    /** the job's event stream: a job settled here ends its stream as its workflow would have */
    private readonly events?: IngestionEvents,
  ) {}

  /** Starts attempt `attempt` of a job whose rows exist, on the ingestion task queue. */
  async startWorkflow(job: Pick<IngestionJob, 'id' | 'tenantId' | 'knowledgeId'>, attempt: number, documentIds: string[]): Promise<void> {
    const input: IngestionJobInput = { jobId: job.id, tenantId: job.tenantId, knowledgeId: job.knowledgeId, documentIds, concurrency: this.options.concurrency };
    await this.temporal.workflow.start(INGESTION_JOB_WORKFLOW_TYPE, { taskQueue: this.options.taskQueue, workflowId: ingestionWorkflowIdFor(job.id, attempt), args: [input] });
  }

  async find(tenantId: string, id: string): Promise<IngestionJob> {
    const job = await this.prisma.ingestionJob.findFirst({ where: { id, tenantId } });
    if (!job) throw jobNotFound(id);
    return job;
  }

  async list(tenantId: string, window: { skip: number; take: number; order: 'asc' | 'desc' }, filters: { knowledgeId?: string; status?: JobStatus }) {
    const where = { tenantId, knowledgeId: filters.knowledgeId, status: filters.status };
    const [items, total] = await Promise.all([
      this.prisma.ingestionJob.findMany({ where, skip: window.skip, take: window.take, orderBy: [{ createdAt: window.order }, { id: window.order }] }),
      this.prisma.ingestionJob.count({ where }),
    ]);
    return { items, total };
  }

  /** Each job's counts (from its documents' statuses, as the worker counts them). */
  async counts(tenantId: string, jobIds: readonly string[]): Promise<Map<string, IngestionCounts>> {
    return new Map(await Promise.all(jobIds.map(async (jobId) => [jobId, await jobCounts(this.prisma, tenantId, jobId)] as const)));
  }

  /** A page of a job's documents, by name (an upload's documents share their creation time). */
  async documents(job: Pick<IngestionJob, 'id' | 'tenantId'>, page: { skip: number; take: number }) {
    return this.prisma.knowledgeDocument.findMany({
      where: { tenantId: job.tenantId, jobs: { some: { jobId: job.id } } },
      orderBy: [{ name: 'asc' }, { id: 'asc' }],
      skip: page.skip,
      take: page.take,
      select: { id: true, name: true, status: true, errorCode: true, errorMessage: true },
    });
  }

  /**
   * Starts the job again for its documents that did not end indexed: the failed ones (and, for a
   * cancelled job, the ones it never reached), reset to queued with their errors cleared, as
   * attempt + 1 of the job. 409 while the job is queued or running, and when nothing is left to do.
   * The documents are read as stored, so a document fixed with PUT …/documents/:docId is indexed
   * with its new content.
   */
  async retry(given: IngestionJob, by: AuditContext): Promise<IngestionJob> {
    const job = await this.settleIfOrphaned(given, false);
    if (isActiveJob(job.status)) throw jobConflict(job.status, 'retried');
    const pending = await this.prisma.knowledgeDocument.findMany({
      where: { tenantId: job.tenantId, jobs: { some: { jobId: job.id } }, status: { not: 'completed' } },
      select: { id: true, status: true, errorCode: true, errorMessage: true },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    });
    if (!pending.length) throw jobConflict(job.status, 'retried: it has no failed document', { failed: 0 });
    const attempt = job.attempt + 1;
    const ids = pending.map((d) => d.id);
    const claimed = await this.prisma.$transaction(async (tx) => {
      // Only from the status read above: a second retry at the same moment finds it changed.
      const { count } = await tx.ingestionJob.updateMany({
        where: { id: job.id, tenantId: job.tenantId, status: job.status, attempt: job.attempt },
        data: { status: 'queued', attempt, temporalWorkflowId: ingestionWorkflowIdFor(job.id, attempt), startedAt: null, finishedAt: null },
      });
      if (count === 0) return false;
      await tx.knowledgeDocument.updateMany({ where: { tenantId: job.tenantId, id: { in: ids } }, data: { status: 'queued', errorCode: null, errorMessage: null, jobId: job.id } });
      return true;
    });
    if (!claimed) throw jobConflict((await this.find(job.tenantId, job.id)).status, 'retried');
    try {
      await this.startWorkflow(job, attempt, ids);
    } catch (err) {
      // Put the job and its documents back as they were, so nothing waits for a workflow that never started.
      await this.prisma.$transaction([
        this.prisma.ingestionJob.update({
          where: { id: job.id, tenantId: job.tenantId },
          data: { status: job.status, attempt: job.attempt, temporalWorkflowId: job.temporalWorkflowId, startedAt: job.startedAt, finishedAt: job.finishedAt },
        }),
        ...pending.map((d) => this.prisma.knowledgeDocument.update({ where: { id: d.id, tenantId: job.tenantId }, data: { status: d.status, errorCode: d.errorCode, errorMessage: d.errorMessage } })),
      ]);
      throw err;
    }
    const now = await this.find(job.tenantId, job.id);
    await this.record(by, 'retry', job, now, { documents: ids.length });
    return now;
  }

  /**
   * Cancels the job's workflow (Temporal cancellation; the workflow records the job as cancelled).
   * Idempotent for a cancelled job; 409 for one that has ended otherwise. `settled` is false when
   * the job had not ended yet after a short wait (a queued job ends when a worker first takes it).
   */
  async cancel(given: IngestionJob, by: AuditContext): Promise<{ job: IngestionJob; settled: boolean }> {
    const job = await this.settleIfOrphaned(given, true);
    if (job.status === 'cancelled') {
      // Settled here (its workflow was gone): that ended it, so it is recorded; already cancelled: nothing changed.
      if (given.status !== 'cancelled') await this.record(by, 'cancel', given, job);
      return { job, settled: true };
    }
    if (!isActiveJob(job.status)) throw jobConflict(job.status, 'cancelled');
    try {
      await this.temporal.workflow.getHandle(job.temporalWorkflowId).cancel();
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
    }
    const until = Date.now() + (job.status === 'queued' ? 0 : CANCEL_SETTLE_MS);
    let now = await this.find(job.tenantId, job.id);
    while (isActiveJob(now.status) && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 100));
      now = await this.find(job.tenantId, job.id);
    }
    if (!isActiveJob(now.status) && now.status !== 'cancelled') throw jobConflict(now.status, 'cancelled');
    await this.record(by, 'cancel', given, now);
    return { job: now, settled: now.status === 'cancelled' };
  }

  private async record(by: AuditContext, verb: 'retry' | 'cancel', before: IngestionJob, after: IngestionJob, extra: Record<string, number> = {}): Promise<void> {
    await this.audit.record({
      ...by,
      action: `ingestion_job.${verb}`,
      objectType: 'ingestion_job',
      objectId: before.id,
      before: { knowledgeId: before.knowledgeId, status: before.status, attempt: before.attempt },
      after: { knowledgeId: after.knowledgeId, status: after.status, attempt: after.attempt, ...extra },
    });
  }

  /**
   * A job the database says is queued or running whose workflow is no longer running (terminated
   * or timed out from outside Temporal's normal path, or gone past retention) would stay so for
   * ever: its workflow can no longer record its end. Ends it here instead — its unfinished
   * documents in error `ingestion_interrupted`, the job cancelled (when asked to cancel) or
   * completed with errors — so that a retry can take them up. Returns the job as it is now.
   */
  private async settleIfOrphaned(job: IngestionJob, cancelling: boolean): Promise<IngestionJob> {
    if (!isActiveJob(job.status)) return job;
    try {
      const { status } = await this.temporal.workflow.getHandle(job.temporalWorkflowId).describe();
      if (status.name === 'RUNNING' || status.name === 'CONTINUED_AS_NEW' || status.name === 'COMPLETED') return job;
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
    }
    const message = describe('ingestion_interrupted', {});
    const settled = await this.prisma.$transaction(async (tx) => {
      const { count } = await tx.ingestionJob.updateMany({ where: { id: job.id, tenantId: job.tenantId, status: job.status, attempt: job.attempt }, data: { finishedAt: new Date() } });
      if (count === 0) return undefined; // another request settled it, or the job moved on
      await tx.knowledgeDocument.updateMany({
        where: { tenantId: job.tenantId, jobId: job.id, jobs: { some: { jobId: job.id } }, status: { notIn: ['completed', 'error'] } },
        data: { status: 'error', errorCode: 'ingestion_interrupted', errorMessage: message },
      });
      const counts = await jobCounts(tx, job.tenantId, job.id);
      const status: JobStatus = cancelling ? 'cancelled' : counts.failed > 0 ? 'completed-with-errors' : 'completed';
      await tx.ingestionJob.update({ where: { id: job.id, tenantId: job.tenantId }, data: { status } });
      return { status, ...counts };
    });
    // Followers of the job's events (SSE, npm run ingest) see it end instead of waiting for ever.
    if (settled) await this.events?.finished({ jobId: job.id, attemptKey: job.temporalWorkflowId }, settled);
    return this.find(job.tenantId, job.id);
  }
}
