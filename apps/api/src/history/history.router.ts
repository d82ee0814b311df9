import type { Router } from 'express';
import { z } from 'zod';
import { sendData } from '../http/envelope';
import { READ_ERRORS, bindRoutes, data, defineRoutes } from '../http/route';
import { runParams } from '../runs/runs.schemas';
import type { RunsService } from '../runs/runs.service';
import type { RunHistoryReader } from './run-history';

export const historyQuery = z
  .object({
    cursor: z.string().min(1).max(1_500).regex(/^[A-Za-z0-9_-]+$/, 'a cursor is base64url text').optional().meta({ description: '`next` of the previous page; absent: from the first event' }),
    limit: z.coerce.number().int().min(1).max(500).default(100),
  })
  .strict();

const historyEventSchema = z
  .looseObject({
    execution: z.string().meta({ description: 'the Temporal run id of the execution (of the continue-as-new chain) the event belongs to' }),
    eventId: z.number().int().min(1),
    eventTime: z.string(),
    eventType: z.string().meta({ description: 'e.g. EVENT_TYPE_WORKFLOW_EXECUTION_STARTED' }),
  })
  .meta({
    description:
      "One event in Temporal's JSON history format (as `temporal workflow show --output json` prints it), every payload replaced by the value it holds (one that cannot be decoded: {$undecodedPayload: {encoding, bytes}}) and every value of the tenant's secrets masked as [secret]",
  });

export const historyPageSchema = z.object({
  events: z.array(historyEventSchema),
  next: z.string().nullable().meta({ description: 'the cursor of the next page; null once the run has ended and this page holds its last event. While the run is open it is never null: more events may come' }),
});

export const historyRoutes = defineRoutes({
  history: {
    method: 'get',
    path: '/v1/runs/:id/history',
    summary: "A run's raw Temporal event history",
    note: 'every execution of its continue-as-new chain, oldest first, a page at a time: pass `next` as `cursor`',
    request: { params: runParams, query: historyQuery },
    responses: { 200: data(historyPageSchema, 'A page of events') },
    errors: [...READ_ERRORS, 404],
  },
});

export function historyRouter(runs: RunsService, history: RunHistoryReader): Router {
  return bindRoutes(historyRoutes, {
    history: async (req, res, { params, query }) => {
      const run = await runs.get(req.auth.tenantId, params.id);
      const page: z.infer<typeof historyPageSchema> = await history.page(run, query.cursor, query.limit);
      sendData(req, res, page);
    },
  });
}
