import { Router } from 'express';
import type { Run } from '@weft/activities';
import { isTerminal, type RunStatus } from '@weft/domain';
import { CAN, requireRole } from '../auth/auth.middleware';
import { sendData, sendList } from '../http/envelope';
import { handle } from '../http/handle';
import { ForbiddenError, MalformedRequestError } from '../http/http.errors';
import { pageWindow } from '../http/pagination';
import { runDto, type TemporalLinks } from './runs.dto';
import { idempotencyKeyHeader, listNodesQuery, listRunsQuery, runParams, startRunBody, workflowRunParams } from './runs.schemas';
import type { RunsService } from './runs.service';
import type { RunNodesReader } from './run-nodes';

export interface RunsRouterOptions {
  links: TemporalLinks;
  /** how long a blocking request may wait at most, and by default */
  maxBlockingMs: number;
  defaultBlockingMs: number;
}

export function runsRouter(service: RunsService, nodes: RunNodesReader, { links, maxBlockingMs, defaultBlockingMs }: RunsRouterOptions): Router {
  const r = Router();
  // A single run's read lists its children and rolls their usage up into its own.
  const extrasOf = async (run: Run) => {
    const [usage, children] = await Promise.all([service.usage(run.tenantId, [run.id]), service.children(run.tenantId, run.id)]);
    return { usage: usage.get(run.id), children };
  };

  r.post('/workflows/:id/runs', requireRole(...CAN.operateRuns), handle({ params: workflowRunParams, body: startRunBody }, async (req, res, { params, body }) => {
    // Running the draft runs unpublished work: a tool for those who edit workflows.
    if (body.version === 'draft' && !(CAN.editWorkflows as readonly string[]).includes(req.auth.role)) {
      throw new ForbiddenError(`Running the draft needs one of the roles: ${CAN.editWorkflows.join(', ')} (the key has '${req.auth.role}')`);
    }
    const rawKey = req.header('idempotency-key');
    const key = rawKey === undefined ? undefined : idempotencyKeyHeader.safeParse(rawKey);
    if (key && !key.success) throw new MalformedRequestError('malformed_idempotency_key', 'Idempotency-Key must be 1 to 255 characters');
    const timeoutMs = Math.min(body.timeoutMs ?? defaultBlockingMs, maxBlockingMs);
    const { run, replayed } = await service.start(req.auth.tenantId, params.id, { ...body, timeoutMs, idempotencyKey: key?.data });
    const location = `/v1/runs/${run.id}`;
    res.setHeader('Location', location);
    if (replayed) res.setHeader('Idempotent-Replayed', 'true');
    sendData(req, res, runDto(run, links, await extrasOf(run)), body.mode === 'blocking' && isTerminal(run.status as RunStatus) ? 200 : 202);
  }));

  r.get('/runs', handle({ query: listRunsQuery }, async (req, res, { query }) => {
    const { items, total } = await service.list(req.auth.tenantId, pageWindow(query), query);
    const usage = await service.usage(req.auth.tenantId, items.map((r) => r.id));
    sendList(req, res, items.map((run) => runDto(run, links, { usage: usage.get(run.id) })), { page: query.page, limit: query.limit, total });
  }));

  r.get('/runs/:id', handle({ params: runParams }, async (req, res, { params }) => {
    const run = await service.get(req.auth.tenantId, params.id);
    sendData(req, res, runDto(run, links, await extrasOf(run)));
  }));

  r.get('/runs/:id/nodes', handle({ params: runParams, query: listNodesQuery }, async (req, res, { params, query }) => {
    const run = await service.get(req.auth.tenantId, params.id);
    const { items, total } = await nodes.list(run, { skip: (query.page - 1) * query.limit, take: query.limit });
    sendList(req, res, items, { page: query.page, limit: query.limit, total });
  }));

  return r;
}
