import type { Router } from 'express';
import type { Run } from '@weft/activities';
import { isTerminal, type RunStatus } from '@weft/domain';
import { auditContext } from '../audit/audit-log';
import { requireAction } from '../auth/auth.middleware';
import { PERMISSIONS } from '../auth/permissions';
import { sendData, sendList } from '../http/envelope';
import { MalformedRequestError } from '../http/http.errors';
import { pageWindow } from '../http/pagination';
import { BODY_ERRORS, READ_ERRORS, bindRoutes, data, defineRoutes, list, roleList } from '../http/route';
import { runDto, type TemporalLinks } from './runs.dto';
import { nodeExecutionSchema, runSchema } from './runs.responses';
import { idempotencyKeyHeader, listNodesQuery, listRunsQuery, runParams, startRunBody, workflowRunParams } from './runs.schemas';
import type { RunsService } from './runs.service';
import type { RunNodesReader } from './run-nodes';
import type { RunControlService } from './run-control.service';

export interface RunsRouterOptions {
  links: TemporalLinks;
  /** how long a blocking request may wait at most, and by default */
  maxBlockingMs: number;
  defaultBlockingMs: number;
}

export const runRoutes = defineRoutes({
  start: {
    method: 'post',
    path: '/v1/workflows/:id/runs',
    summary: 'Start a run',
    note: `\`version: "draft"\` needs ${roleList(PERMISSIONS['action:run-draft'].roles, 'or')}`,
    request: { params: workflowRunParams, body: startRunBody },
    headers: [
      {
        name: 'Idempotency-Key',
        schema: idempotencyKeyHeader,
        description: 'A repeat of the same request returns the first run; the same key with a different request is 422 idempotency_key_reused',
      },
    ],
    responses: {
      200: data(runSchema, 'Blocking mode: the run ended within timeoutMs', ['Location', 'Idempotent-Replayed']),
      202: data(runSchema, 'Async mode, or blocking mode when the run did not end within timeoutMs: it goes on; poll Location', ['Location', 'Idempotent-Replayed']),
    },
    errors: [...BODY_ERRORS, 403, 404, 409, 422],
  },
  list: {
    method: 'get',
    path: '/v1/runs',
    summary: 'List runs',
    request: { query: listRunsQuery },
    responses: { 200: list(runSchema, 'A page of runs') },
    errors: READ_ERRORS,
  },
  get: {
    method: 'get',
    path: '/v1/runs/:id',
    summary: 'Read a run',
    request: { params: runParams },
    responses: { 200: data(runSchema, 'The run') },
    errors: [...READ_ERRORS, 404],
  },
  pause: {
    method: 'post',
    path: '/v1/runs/:id/pause',
    summary: 'Pause a run: no new node starts, running ones finish; idempotent',
    request: { params: runParams },
    responses: { 200: data(runSchema, 'The run, paused') },
    errors: [...READ_ERRORS, 403, 404, 409],
  },
  resume: {
    method: 'post',
    path: '/v1/runs/:id/resume',
    summary: 'Resume a paused run; idempotent (a run that is not paused is answered as it is)',
    request: { params: runParams },
    responses: { 200: data(runSchema, 'The run, going on') },
    errors: [...READ_ERRORS, 403, 404, 409],
  },
  cancel: {
    method: 'post',
    path: '/v1/runs/:id/cancel',
    summary: 'Cancel a run: running activities are cancelled through their heartbeats, open approvals close; idempotent',
    request: { params: runParams },
    responses: {
      200: data(runSchema, 'The run, cancelled'),
      202: data(runSchema, 'Cancellation requested; the run has not ended yet (poll it)'),
    },
    errors: [...READ_ERRORS, 403, 404, 409],
  },
  nodes: {
    method: 'get',
    path: '/v1/runs/:id/nodes',
    summary: 'Node executions of a run, in order, with every attempt',
    request: { params: runParams, query: listNodesQuery },
    responses: { 200: list(nodeExecutionSchema, 'A page of node executions') },
    errors: [...READ_ERRORS, 404],
  },
});

export function runsRouter(service: RunsService, nodes: RunNodesReader, control: RunControlService, { links, maxBlockingMs, defaultBlockingMs }: RunsRouterOptions): Router {
  // A single run's read lists its children, rolls their usage up into its own, and asks an open run its live state.
  const extrasOf = async (run: Run) => {
    const [usage, children, live] = await Promise.all([service.usage(run.tenantId, [run.id]), service.children(run.tenantId, run.id), control.live(run)]);
    return { usage: usage.get(run.id), children, ...(live ? { live } : {}) };
  };
  // A run just started whose graph has no sub-workflow node has no children: its usage is its own
  // (two queries fewer on the run path).
  const startExtrasOf = async (run: Run, childless: boolean) => {
    if (!childless) return extrasOf(run);
    const live = await control.live(run);
    return { usage: { inputTokens: run.inputTokens, outputTokens: run.outputTokens }, children: { items: [], total: 0 }, ...(live ? { live } : {}) };
  };

  return bindRoutes(runRoutes, {
    start: async (req, res, { params, body }) => {
      // Running the draft runs unpublished work: a tool for those who edit workflows.
      if (body.version === 'draft') requireAction(req, 'action:run-draft', 'Running the draft');
      const rawKey = req.header('idempotency-key');
      const key = rawKey === undefined ? undefined : idempotencyKeyHeader.safeParse(rawKey);
      if (key && !key.success) throw new MalformedRequestError('malformed_idempotency_key', 'Idempotency-Key must be 1 to 255 characters');
      const timeoutMs = Math.min(body.timeoutMs ?? defaultBlockingMs, maxBlockingMs);
      const { run, replayed, childless } = await service.start(req.auth.tenantId, params.id, { ...body, timeoutMs, idempotencyKey: key?.data });
      const location = `/v1/runs/${run.id}`;
      res.setHeader('Location', location);
      if (replayed) res.setHeader('Idempotent-Replayed', 'true');
      sendData(req, res, runDto(run, links, await startExtrasOf(run, childless)), body.mode === 'blocking' && isTerminal(run.status as RunStatus) ? 200 : 202);
    },

    list: async (req, res, { query }) => {
      const { items, total } = await service.list(req.auth.tenantId, pageWindow(query), query);
      const usage = await service.usage(req.auth.tenantId, items.map((r) => r.id));
      sendList(req, res, items.map((run) => runDto(run, links, { usage: usage.get(run.id) })), { page: query.page, limit: query.limit, total });
    },

    get: async (req, res, { params }) => {
      const run = await service.get(req.auth.tenantId, params.id);
      sendData(req, res, runDto(run, links, await extrasOf(run)));
    },

    pause: async (req, res, { params }) => {
      const run = await control.pauseOrResume(await service.get(req.auth.tenantId, params.id), 'pause', auditContext(req));
      sendData(req, res, runDto(run, links, await extrasOf(run)));
    },

    resume: async (req, res, { params }) => {
      const run = await control.pauseOrResume(await service.get(req.auth.tenantId, params.id), 'resume', auditContext(req));
      sendData(req, res, runDto(run, links, await extrasOf(run)));
    },

    cancel: async (req, res, { params }) => {
      const { run, settled } = await control.cancel(await service.get(req.auth.tenantId, params.id), auditContext(req));
      sendData(req, res, runDto(run, links, await extrasOf(run)), settled ? 200 : 202);
    },

    nodes: async (req, res, { params, query }) => {
      const run = await service.get(req.auth.tenantId, params.id);
      const { items, total } = await nodes.list(run, { skip: (query.page - 1) * query.limit, take: query.limit });
      sendList(req, res, items, { page: query.page, limit: query.limit, total });
    },
  });
}
