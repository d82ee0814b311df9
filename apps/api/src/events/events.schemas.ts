import { z } from 'zod';

/** The event types of a run's stream (the contract's list); the route passes any other type through too. */
export const RUN_EVENT_TYPES = [
  'run.started',
  'node.started',
  'node.retrying',
  'node.finished',
  'node.failed',
  'node.skipped',
  'llm.delta',
  'approval.requested',
  'approval.decided',
  'approval.expired',
  'run.paused',
  'run.resumed',
  'run.finished',
  'ping',
  'server.closing',
] as const;

/** A Redis stream id as a client got it in `id:` ("1700000000000-0"); a bare number means "<ms>-0". */
export const eventId = z
  .string()
  .max(45)
  .regex(/^\d{1,15}(-\d{1,15})?$/, 'an event id as sent in id: ("<ms>-<seq>")');

export const eventsQuery = z
  .object({ lastEventId: eventId.optional().meta({ description: 'the same as the Last-Event-ID header, for clients that cannot set headers (the header wins)' }) })
  .strict();

const DATA_DESCRIPTION = [
  'The JSON data of one event; by `event:` type:',
  'run.started {runId, startedAt};',
  'node.started {nodeId, key, type, iterationIndex?, loopIndex?, status: running, attempt?, startedAt};',
  'node.retrying {…, status: retrying, attempt, error: {code, message} of the previous attempt, startedAt};',
  'node.finished / node.failed / node.skipped {…, status, outputs? (or outputsTruncated {bytes, preview} when larger than 16 KiB), error?, startedAt, finishedAt};',
  'llm.delta {nodeId, key?, attempt, text} (secret values masked);',
  'approval.requested / approval.decided / approval.expired, run.paused / run.resumed: as published by the approval activities;',
  'run.finished {runId, status, outputs (or outputsTruncated), error, finishedAt} — the stream ends after it;',
  'ping {at} every WEFT_SSE_PING_MS (no id);',
  'server.closing {reason: shutdown, retryMs} (no id), after a `retry:` field, when the API process shuts down: the stream ends; reconnect after retryMs with Last-Event-ID.',
].join(' ');

export const eventDataSchema = z.looseObject({}).meta({ description: DATA_DESCRIPTION });
