import type { Client } from '@temporalio/client';
import type { Run, SecretsStore } from '@weft/activities';
import { z } from 'zod';
import { MalformedRequestError } from '../http/http.errors';
import { decodeEvents, type DecodedEvent, type HistoryEvent } from './history-decoder';

/**
 * Where a page starts: the execution (Temporal run id) of the continue-as-new chain, the last event
 * id already returned in it, and Temporal's own page token when there is one (else the execution
 * is read from its start and the events up to `e` are skipped).
 */
const cursorSchema = z.object({
  r: z.string().min(1).max(100),
  e: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  t: z.string().max(1024).optional(),
});
type Cursor = z.infer<typeof cursorSchema>;

export const encodeCursor = (c: Cursor): string => Buffer.from(JSON.stringify(c)).toString('base64url');

function decodeCursor(raw: string): Cursor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const cursor = cursorSchema.safeParse(parsed);
  if (!cursor.success) throw invalidCursor();
  return cursor.data;
}

const invalidCursor = () =>
  new MalformedRequestError('malformed_request', 'The cursor is not one this API gave out for this run', {
    issues: [{ code: 'invalid_cursor', message: 'pass `next` of the previous page as it was', path: ['query', 'cursor'] }],
  });

/** The attribute names of the events that close an execution. */
const CLOSING = ['Completed', 'Failed', 'TimedOut', 'Canceled', 'Terminated', 'ContinuedAsNew'].map((k) => `workflowExecution${k}EventAttributes`);

/** How an execution's last event ends it: still open, closed, or followed by the next execution of the chain. */
function ending(event: HistoryEvent | undefined): { closed: boolean; next?: string } {
  for (const name of CLOSING) {
    const attributes = (event as Record<string, { newExecutionRunId?: string | null } | null | undefined> | undefined)?.[name];
    if (attributes) return { closed: true, ...(attributes.newExecutionRunId ? { next: attributes.newExecutionRunId } : {}) };
  }
  return { closed: false };
}

/** A gRPC status code of a Temporal service error. */
const grpcCode = (err: unknown): number | undefined => {
  const code = (err as { code?: unknown })?.code;
  return typeof code === 'number' ? code : undefined;
};
const INVALID_ARGUMENT = 3;
const NOT_FOUND = 5;

export interface HistoryPage {
  events: DecodedEvent[];
  /** pass as `cursor` for the next page; null once the run has ended and every event was returned */
  next: string | null;
}

/**
 * A run's raw Temporal history: every execution of its continue-as-new chain, oldest first, read
 * page by page with Temporal's own page tokens (so a page costs one or two calls whatever its
 * position), payloads decoded through the client's data converter, the tenant's secrets masked.
 */
export class RunHistoryReader {
  constructor(
    private readonly temporal: Client,
    private readonly secrets: SecretsStore,
  ) {}

  async page(run: Run, rawCursor: string | undefined, limit: number): Promise<HistoryPage> {
    const first = run.temporalRunId;
    if (!first && rawCursor === undefined) return { events: [], next: null }; // not started (yet)
    let at: Cursor = rawCursor === undefined ? { r: first!, e: 0 } : decodeCursor(rawCursor);
    const secrets = await this.secrets.plaintexts(run.tenantId);
    const converter = this.temporal.options.loadedDataConverter;
    const out: DecodedEvent[] = [];
    // A few rounds at most: pages whose events were all returned before, and the step from one
    // execution to the next, cost a round each.
    for (let round = 0; round < 8 && out.length < limit; round++) {
      const { events, token, gone } = await this.fetch(run, at, limit);
      if (gone) return { events: out, next: null };
      const fresh = events.filter((e) => Number(e.eventId) > at.e);
      const taken = fresh.slice(0, limit - out.length);
      out.push(...(await decodeEvents(converter, at.r, taken, secrets)));
      const lastTaken = taken.length ? Number(taken.at(-1)!.eventId) : at.e;
      if (taken.length < fresh.length) {
        // This Temporal page has more than fits: the next request reads it again and skips.
        at = { ...at, e: lastTaken };
        return { events: out, next: encodeCursor(at) };
      }
      if (token) {
        at = { r: at.r, e: lastTaken, t: token };
        continue;
      }
      // The end of this execution's history so far: closed, continued, or still going.
      const end = ending(events.at(-1) ?? (await this.lastEvent(run, at.r)));
      if (end.next) {
        at = { r: end.next, e: 0 };
        continue;
      }
      if (end.closed) return { events: out, next: null };
      return { events: out, next: encodeCursor({ r: at.r, e: lastTaken }) };
    }
    return { events: out, next: encodeCursor(at) };
  }

  private async fetch(run: Run, at: Cursor, limit: number): Promise<{ events: HistoryEvent[]; token?: string; gone?: boolean }> {
    try {
      const res = await this.temporal.workflowService.getWorkflowExecutionHistory({
        namespace: this.temporal.options.namespace,
        execution: { workflowId: run.temporalWorkflowId, runId: at.r },
        maximumPageSize: limit,
        ...(at.t ? { nextPageToken: Buffer.from(at.t, 'base64url') } : {}),
      });
      const token = res.nextPageToken?.length ? Buffer.from(res.nextPageToken).toString('base64url') : undefined;
      return { events: res.history?.events ?? [], ...(token ? { token } : {}) };
    } catch (err) {
      // An execution or token that is not this run's (a cursor made up or from another run).
      if (grpcCode(err) === INVALID_ARGUMENT || (grpcCode(err) === NOT_FOUND && at.r !== run.temporalRunId)) throw invalidCursor();
      // The run's first execution is gone: its history is past the namespace's retention.
      if (grpcCode(err) === NOT_FOUND) return { events: [], gone: true };
      throw err;
    }
  }

  private async lastEvent(run: Run, execution: string): Promise<HistoryEvent | undefined> {
    const res = await this.temporal.workflowService.getWorkflowExecutionHistoryReverse({
      namespace: this.temporal.options.namespace,
      execution: { workflowId: run.temporalWorkflowId, runId: execution },
      maximumPageSize: 1,
    });
    return res.history?.events?.[0] ?? undefined;
  }
}
