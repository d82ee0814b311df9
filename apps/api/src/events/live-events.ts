import type { Response } from 'express';
import { streamFields, type Logger, type RunEventStream } from '@weft/activities';
import { DomainError, describe } from '@weft/domain';
import { RunEventHub, compareIds, type StreamEntry } from './run-event-hub';
import { SseConnection } from './sse-connection';

export interface LiveEventsOptions {
  pingMs: number;
  maxConnections: number;
  maxStreamMs: number;
  /** how often an open run's record is read again (a run closed from outside ends its streams) */
  recheckMs?: number;
  /** how long a run.finished may lag behind the record saying the run ended */
  finishGraceMs?: number;
  /** the reconnect delay streams ended by a shutdown tell their clients (SSE `retry:`) */
  retryMs?: number;
}

/** The process serves as many live streams as it may (HTTP 503, with Retry-After). */
export class EventsCapacityError extends DomainError {
  readonly code = 'events_capacity_reached';
  constructor(limit: number) {
    super(describe('events_capacity_reached', { limit }));
  }
}

/**
 * What a stream is about, as its record says: a run (events/run-events.ts) or an ingestion job
 * (knowledge/). Its id is the stream's id in RunEventStream.
 */
export interface EventSource {
  id: string;
  /** the type of the event that ends the stream (`run.finished`, `job.finished`) */
  finalType: string;
  /**
   * Whether an event of that type ends the stream (default: any does). A job's stream holds one
   * job.finished per attempt: only the current attempt's ends it.
   */
  isFinal?: (event: StreamEntry) => boolean;
  /** whether the record says it has ended */
  ended: boolean;
  /** the final event's data made from the record, for a stream that lacks its own */
  finalData(): Record<string, unknown>;
}

/** Reads the source's record again (tenant-scoped, reconciled with Temporal while open). */
export type SourceReader = () => Promise<EventSource>;

const REPLAY_PAGE = 500;

/**
 * The live event streams of this process: admission (the connection cap), the shared reader, and
 * the end of each stream. A stream ends after its source's final event (a run's `run.finished`, a
 * job's `job.finished`); a source whose record has ended without one in the stream (trimmed,
 * expired, or never published because Redis was away) gets the rest of its events and a final
 * event made from the record, without an id.
 */
export class LiveEvents {
  readonly hub: RunEventHub;
  private readonly connections = new Set<SseConnection>();
  /** rechecks of streams' records in flight (settled() waits for them) */
  private readonly rechecks = new Set<Promise<void>>();
  private readonly recheckMs: number;
  private readonly finishGraceMs: number;
  private closing = false;

  constructor(
    private readonly streams: RunEventStream,
    private readonly logger: Logger,
    private readonly options: LiveEventsOptions,
  ) {
    this.hub = new RunEventHub(streams.redis, streams, logger);
    this.recheckMs = options.recheckMs ?? 60_000;
    this.finishGraceMs = options.finishGraceMs ?? 1_500;
  }

  /** For tests and metrics: open streams, their live timers, and the shared reader's state. */
  stats() {
    let timers = 0;
    for (const c of this.connections) timers += c.timerCount;
    return { connections: this.connections.size, timers, ...this.hub.stats() };
  }

  /**
   * Ends every stream (shutdown) with a reconnect hint, and every stream opened from now on at
   * once: clients resume on another process (or this one restarted) with Last-Event-ID.
   */
  closeAll(): void {
    this.closing = true;
    for (const c of [...this.connections]) c.goAway(this.options.retryMs ?? 1_000);
  }

  /**
   * Resolves once no recheck of a stream's record is in flight. A recheck can outlive its stream
   * (it reads the record, and Temporal for a run not ended): await this before the clients close,
   * or its call meets a closed connection.
   */
  async settled(): Promise<void> {
    while (this.rechecks.size) await Promise.allSettled([...this.rechecks]);
  }

  /** Serves the events of `source` after `after` on `res`, until it ends or the client goes. */
  async serve(res: Response, source: EventSource, after: string, reread: SourceReader): Promise<void> {
    if (this.connections.size >= this.options.maxConnections) {
      res.setHeader('Retry-After', '5');
      throw new EventsCapacityError(this.options.maxConnections);
    }
    // Set once the connection is subscribed; the connection may close before (or without) that.
    const subscription: { stop?: () => void } = {};
    const unsubscribe = () => subscription.stop?.();
    const conn: SseConnection = new SseConnection(res, {
      runId: source.id,
      isFinal: finalTest(source),
      after,
      pingMs: this.options.pingMs,
      maxStreamMs: this.options.maxStreamMs,
      onClose: () => {
        this.connections.delete(conn);
        unsubscribe();
      },
    });
    this.connections.add(conn);
    conn.onDrain = () => this.hub.wake();
    conn.open();
    if (this.closing) return conn.goAway(this.options.retryMs ?? 1_000);
    // The status line is sent: from here a failure ends the stream, and the client resumes.
    const failed = (err: unknown) => {
      this.logger.warn('live event stream ended by an error', { streamId: source.id, message: (err as Error).message });
      conn.close();
    };
    try {
      if (source.ended && (await this.finishMissing(source, conn))) return;
    } catch (err) {
      return failed(err);
    }
    if (conn.isClosed) return;
    subscription.stop = this.hub.subscribe(conn);
    // A source closed from outside (a run terminated in Temporal, its end never written) is found
    // by reading its record now and then; the reconciler then publishes its final event.
    let checking = false;
    const recheck = async () => {
      if (checking) return;
      checking = true;
      try {
        const now = await reread().catch(() => undefined);
        if (now?.ended && !conn.isClosed) await this.finishMissing(now, conn, unsubscribe);
      } catch (err) {
        failed(err);
      } finally {
        checking = false;
      }
    };
    conn.every(this.recheckMs, () => {
      const running = recheck();
      this.rechecks.add(running);
      void running.finally(() => this.rechecks.delete(running));
    });
  }

  /**
   * For a source whose record has ended: true when its stream has no final event (after a grace
   * for one on its way), in which case the rest of the stream and a final event made from the
   * record have been sent and the stream closed. False when the hub will deliver the stream's own.
   */
  private async finishMissing(source: EventSource, conn: SseConnection, beforeReplay?: () => void): Promise<boolean> {
    const isFinal = finalTest(source);
    const last = async () => {
      const event = await this.streams.last(source.id).catch(() => undefined);
      return event !== undefined && isFinal({ id: event.id, type: event.type, data: JSON.stringify(event.data) });
    };
    if ((await last()) || (await sleep(this.finishGraceMs, conn).then(last))) {
      // Everything was seen already: nothing more will come.
      const end = await this.streams.last(source.id).catch(() => undefined);
      if (end && compareIds(conn.cursor, end.id) >= 0) conn.close();
      return false;
    }
    if (conn.isClosed) return true;
    beforeReplay?.();
    await this.replay(source.id, conn);
    conn.sendUnnumbered(source.finalType, source.finalData());
    conn.close();
    return true;
  }

  /** The stream's events after the connection's cursor, page by page, at the client's pace. */
  private async replay(runId: string, conn: SseConnection): Promise<void> {
    for (;;) {
      if (conn.isClosed) return;
      const page = await this.streams.redis.xrange(this.streams.key(runId), `(${conn.cursor}`, '+', 'COUNT', REPLAY_PAGE);
      const entries = page.map(([id, fields]): StreamEntry => {
        const f = streamFields(fields);
        return { id, type: f.type ?? 'unknown', data: f.data ?? '{}' };
      });
      conn.deliver(entries);
      if (entries.length < REPLAY_PAGE) return;
      await conn.drained();
    }
  }
}

/** The test for the event that ends a source's stream. */
function finalTest(source: EventSource): (event: StreamEntry) => boolean {
  return (event) => event.type === source.finalType && (source.isFinal?.(event) ?? true);
}

/** Waits `ms`, or less when the connection closes first. */
function sleep(ms: number, conn: SseConnection): Promise<void> {
  return new Promise((resolve) => conn.after(ms, resolve));
}
