import type { Router } from 'express';
import type { IngestionJob } from '@weft/activities';
import { auditContext } from '../audit/audit-log';
import { startAfter } from '../events/events.router';
import { eventId, eventsQuery } from '../events/events.schemas';
import type { EventSource, LiveEvents } from '../events/live-events';
import { paginationOf, sendData, sendList } from '../http/envelope';
import { pageWindow } from '../http/pagination';
import { READ_ERRORS, bindRoutes, data, defineRoutes, events, list } from '../http/route';
import { jobDto, jobSummaryDto } from './knowledge.dto';
import { ingestionJobSchema, ingestionJobSummarySchema, jobEventDataSchema } from './knowledge.responses';
import { jobParams, jobQuery, listJobsQuery } from './knowledge.schemas';
import { isActiveJob, type IngestionJobsService } from './ingestion-jobs.service';

export const ingestionJobRoutes = defineRoutes({
  list: {
    method: 'get',
    path: '/v1/ingestion-jobs',
    summary: 'List ingestion jobs',
    request: { query: listJobsQuery },
    responses: { 200: list(ingestionJobSummarySchema, 'A page of jobs with their counts') },
    errors: READ_ERRORS,
  },
  get: {
    method: 'get',
    path: '/v1/ingestion-jobs/:id',
    summary: 'Read an ingestion job: counts, progress and each document’s status',
    request: { params: jobParams, query: jobQuery },
    responses: { 200: data(ingestionJobSchema, 'The job, with a page of its documents') },
    errors: [...READ_ERRORS, 404],
  },
  events: {
    method: 'get',
    path: '/v1/ingestion-jobs/:id/events',
    summary: "An ingestion job's live events (server-sent events)",
    note: 'resumes after Last-Event-ID; a job that has ended replays its events and the stream closes after job.finished',
    request: { params: jobParams, query: eventsQuery },
    headers: [{ name: 'Last-Event-ID', schema: eventId, description: 'The id of the last event the client saw: the stream starts right after it' }],
    responses: { 200: events(jobEventDataSchema, 'A text/event-stream of the job’s events, then live ones, with a ping every WEFT_SSE_PING_MS while idle') },
    errors: [...READ_ERRORS, 404],
  },
  retry: {
    method: 'post',
    path: '/v1/ingestion-jobs/:id/retry',
    summary: 'Index the failed documents of an ended job again (the next attempt of the job)',
    note: '409 ingestion_job_state_conflict while the job is queued or running, or when it has no failed document',
    request: { params: jobParams },
    responses: { 202: data(ingestionJobSummarySchema, 'The job, queued again for its failed documents', ['Location']) },
    errors: [...READ_ERRORS, 403, 404, 409],
  },
  cancel: {
    method: 'post',
    path: '/v1/ingestion-jobs/:id/cancel',
    summary: 'Cancel an ingestion job; idempotent',
    note: '409 ingestion_job_state_conflict for a job that has ended otherwise',
    request: { params: jobParams },
    responses: {
      200: data(ingestionJobSummarySchema, 'The job, cancelled'),
      202: data(ingestionJobSummarySchema, 'Cancellation requested; the job has not ended yet (poll it)'),
    },
    errors: [...READ_ERRORS, 403, 404, 409],
  },
});

/** The attempt a job event names (job.started and job.finished carry it). */
function attemptOf(data: string): number | undefined {
  try {
    const attempt = (JSON.parse(data) as { attempt?: unknown }).attempt;
    return typeof attempt === 'number' ? attempt : undefined;
  } catch {
    return undefined;
  }
}

export function ingestionJobsRouter(jobs: IngestionJobsService, live: LiveEvents): Router {
  const summary = async (job: IngestionJob) => jobSummaryDto(job, (await jobs.counts(job.tenantId, [job.id])).get(job.id)!);

  /** A job as the source of its event stream: its job.finished, when the stream lacks one, is made from the record. */
  const source = async (job: IngestionJob): Promise<EventSource> => {
    const dto = await summary(job);
    return {
      id: job.id,
      finalType: 'job.finished',
      // Each attempt (a retry is the next) ends with its own job.finished: the stream ends at this attempt's.
      isFinal: (event) => attemptOf(event.data) === undefined || attemptOf(event.data) === job.attempt,
      ended: !isActiveJob(job.status),
      finalData: () => ({ jobId: job.id, attempt: job.attempt, status: dto.status, total: dto.total, succeeded: dto.succeeded, failed: dto.failed, progress: dto.progress }),
    };
  };

  return bindRoutes(ingestionJobRoutes, {
    list: async (req, res, { query }) => {
      const { skip, take, orderBy } = pageWindow(query);
      const { items, total } = await jobs.list(req.auth.tenantId, { skip, take, order: orderBy.createdAt }, query);
      const counts = await jobs.counts(req.auth.tenantId, items.map((j) => j.id));
      sendList(req, res, items.map((j) => jobSummaryDto(j, counts.get(j.id)!)), { page: query.page, limit: query.limit, total });
    },

    get: async (req, res, { params, query }) => {
      const job = await jobs.find(req.auth.tenantId, params.id);
      const counts = (await jobs.counts(job.tenantId, [job.id])).get(job.id)!;
      const documents = await jobs.documents(job, { skip: (query.page - 1) * query.limit, take: query.limit });
      sendData(req, res, jobDto(job, counts, documents, paginationOf({ page: query.page, limit: query.limit, total: counts.total })));
    },

    events: async (req, res, { params, query }) => {
      const after = startAfter(req.header('last-event-id') ?? query.lastEventId);
      const job = await jobs.find(req.auth.tenantId, params.id);
      await live.serve(res, await source(job), after, async () => source(await jobs.find(job.tenantId, job.id)));
    },

    retry: async (req, res, { params }) => {
      const job = await jobs.retry(await jobs.find(req.auth.tenantId, params.id), auditContext(req));
      res.setHeader('Location', `/v1/ingestion-jobs/${job.id}`);
      sendData(req, res, await summary(job), 202);
    },

    cancel: async (req, res, { params }) => {
      const { job, settled } = await jobs.cancel(await jobs.find(req.auth.tenantId, params.id), auditContext(req));
      sendData(req, res, await summary(job), settled ? 200 : 202);
    },
  });
}
