import type { Router } from 'express';
import { boundedField, type Run } from '@weft/activities';
import { isTerminal, toPublicError, type RunStatus } from '@weft/domain';
import { MalformedRequestError } from '../http/http.errors';
import { READ_ERRORS, bindRoutes, defineRoutes, events } from '../http/route';
import { runParams } from '../runs/runs.schemas';
import type { RunsService } from '../runs/runs.service';
import { eventDataSchema, eventId, eventsQuery } from './events.schemas';
import type { EventSource, LiveEvents } from './live-events';

export const eventRoutes = defineRoutes({
  events: {
    method: 'get',
    path: '/v1/runs/:id/events',
    summary: "A run's live events (server-sent events)",
    note: 'resumes after Last-Event-ID; a run that has ended replays its events and the stream closes after run.finished',
    request: { params: runParams, query: eventsQuery },
    headers: [{ name: 'Last-Event-ID', schema: eventId, description: 'The id of the last event the client saw: the stream starts right after it' }],
    responses: { 200: events(eventDataSchema, 'A text/event-stream of the run’s events, then live ones, with a ping every WEFT_SSE_PING_MS while idle') },
    errors: [...READ_ERRORS, 404],
  },
});

/** "<ms>" or "<ms>-<seq>" as "<ms>-<seq>"; no id: from the first event. */
export function startAfter(raw: string | undefined): string {
  if (raw === undefined || raw === '') return '0-0';
  const parsed = eventId.safeParse(raw.trim());
  if (!parsed.success) {
    throw new MalformedRequestError('malformed_request', 'Last-Event-ID is not an event id of this stream', {
      issues: [{ code: 'invalid_format', message: 'expected "<ms>-<seq>", as sent in id:', path: ['headers', 'Last-Event-ID'] }],
    });
  }
  return parsed.data.includes('-') ? parsed.data : `${parsed.data}-0`;
}

/** A run as the source of its stream: its run.finished, when the stream lacks one, is made from the record. */
function runSource(run: Run): EventSource {
  return {
    id: run.id,
    finalType: 'run.finished',
    ended: isTerminal(run.status as RunStatus),
    finalData: () => ({
      runId: run.id,
      status: run.status,
      ...boundedField('outputs', run.outputs ?? {}),
      error: toPublicError(run.error),
      finishedAt: (run.finishedAt ?? new Date()).toISOString(),
    }),
  };
}

export function eventsRouter(runs: RunsService, live: LiveEvents): Router {
  return bindRoutes(eventRoutes, {
    events: async (req, res, { params, query }) => {
      const after = startAfter(req.header('last-event-id') ?? query.lastEventId);
      const run = await runs.get(req.auth.tenantId, params.id);
      await live.serve(res, runSource(run), after, async () => runSource(await runs.get(run.tenantId, run.id)));
    },
  });
}
