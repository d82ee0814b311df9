import type { Router } from 'express';
import { auditContext, type AuditLog } from '../audit/audit-log';
import { mayDo } from '../auth/auth.middleware';
import { PERMISSIONS } from '../auth/permissions';
import { sendData } from '../http/envelope';
import { MalformedRequestError } from '../http/http.errors';
import { BODY_ERRORS, bindRoutes, data, defineRoutes, roleList } from '../http/route';
import { runDto, type TemporalLinks } from './runs.dto';
import { runSchema } from './runs.responses';
import { idempotencyKeyHeader, runParams } from './runs.schemas';
import { rerunBody } from './rerun.schemas';
import type { RerunService } from './rerun.service';

export const rerunRoutes = defineRoutes({
  rerun: {
    method: 'post',
    path: '/v1/runs/:id/rerun',
    summary: 'Rerun an ended run from a node: a new run of the same graph that reuses the recorded outcome of every node before it',
    note: `a run of the draft needs ${roleList(PERMISSIONS['action:run-draft'].roles, 'or')}`,
    request: { params: runParams, body: rerunBody },
    headers: [
      {
        name: 'Idempotency-Key',
        schema: idempotencyKeyHeader,
        description: 'A repeat of the same request returns the first rerun; the same key with a different request is 422 idempotency_key_reused',
      },
    ],
    responses: {
      202: data(runSchema, 'The new run (originRunId, rerunFromNodeId: the top-level node it starts from); poll Location', ['Location', 'Idempotent-Replayed']),
    },
    errors: [...BODY_ERRORS, 403, 404, 409, 422],
  },
});

export function rerunRouter(service: RerunService, links: TemporalLinks, audit: AuditLog): Router {
  return bindRoutes(rerunRoutes, {
    rerun: async (req, res, { params, body }) => {
      const rawKey = req.header('idempotency-key');
      const key = rawKey === undefined ? undefined : idempotencyKeyHeader.safeParse(rawKey);
      if (key && !key.success) throw new MalformedRequestError('malformed_idempotency_key', 'Idempotency-Key must be 1 to 255 characters');
      const mayRunDraft = mayDo(req, 'action:run-draft');
      const { run, replayed } = await service.rerun(req.auth.tenantId, params.id, { ...body, idempotencyKey: key?.data, mayRunDraft });
      // A replay started nothing; a new run is recorded once its workflow has started (never its inputs).
      if (!replayed) {
        const after = { originRunId: params.id, fromNodeId: run.rerunFromNodeId, workflowId: run.workflowId, version: run.version, status: run.status };
        await audit.record({ ...auditContext(req), action: 'run.rerun', objectType: 'run', objectId: run.id, after });
      }
      res.setHeader('Location', `/v1/runs/${run.id}`);
      if (replayed) res.setHeader('Idempotent-Replayed', 'true');
      sendData(req, res, runDto(run, links), 202);
    },
  });
}
