import type { Response } from 'express';
import { boundedField, streamFields, type Logger, type Run, type RunEventStream } from '@weft/activities';
import { DomainError, describe, isTerminal, toPublicError, type RunStatus } from '@weft/domain';
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
}

/** The process serves as many live streams as it may (HTTP 503, with Retry-After). */
export class EventsCapacityError extends DomainError {
  readonly code = 'events_capacity_reached';
  constructor(limit: number) {
    super(describe('events_capacity_reached', { limit }));
  }
}

/** Reads the run's record again (tenant-scoped, reconciled with Temporal while open). */
export type RunReader = (run: Run) => Promise<Run>;

const REPLAY_PAGE = 500;

/**
 * The live event streams of this process: admission (the connection cap), the shared reader, and
 * the end of each stream. A stream ends after the run's `run.finished`; a run whose record has
 * ended without one in the stream (trimmed, expired, or never published because Redis was away)
 * gets the rest of its events and a `run.finished` made from the record, without an id.
 */
export class LiveEvents {
  readonly hub: RunEventHub;
  private readonly connections = new Set<SseConnection>();
  private readonly recheckMs: number;
  private readonly finishGraceMs: number;

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

  /** Ends every stream (shutdown): clients resume elsewhere with Last-Event-ID. */
  closeAll(): void {
    for (const c of [...this.connections]) c.close();
  }

  /** Serves the events of `run` after `after` on `res`, until the run ends or the client goes. */
  async serve(res: Response, run: Run, after: string, reread: RunReader): Promise<void> {
    if (this.connections.size >= this.options.maxConnections) {
      res.setHeader('Retry-After', '5');
      throw new EventsCapacityError(this.options.maxConnections);
    }
    // Set once the connection is subscribed; the connection may close before (or without) that.
    const subscription: { stop?: () => void } = {};
    const unsubscribe = () => subscription.stop?.();
    const conn: SseConnection = new SseConnection(res, {
      runId: run.id,
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
    // The status line is sent: from here a failure ends the stream, and the client resumes.
    const failed = (err: unknown) => {
      this.logger.warn('live event stream ended by an error', { runId: run.id, message: (err as Error).message });
      conn.close();
    };
    try {
      if (isTerminal(run.status as RunStatus) && (await this.finishMissing(run, conn))) return;
    } catch (err) {
      return failed(err);
    }
    if (conn.isClosed) return;
    subscription.stop = this.hub.subscribe(conn);
    // A run closed from outside (terminated in Temporal, its end never written) is found by
    // reading its record now and then; the reconciler then publishes its run.finished.
    let checking = false;
    const recheck = async () => {
      if (checking) return;
      checking = true;
      try {
        const now = await reread(run).catch(() => undefined);
        if (now && isTerminal(now.status as RunStatus) && !conn.isClosed) await this.finishMissing(now, conn, unsubscribe);
      } catch (err) {
        failed(err);
      } finally {
        checking = false;
      }
    };
    conn.every(this.recheckMs, () => void recheck());
  }

  /**
   * For a run whose record has ended: true when its stream has no run.finished (after a grace for
   * one on its way), in which case the rest of the stream and a run.finished made from the record
   * have been sent and the stream closed. False when the hub will deliver the stream's own.
   */
  private async finishMissing(run: Run, conn: SseConnection, beforeReplay?: () => void): Promise<boolean> {
    const last = async () => (await this.streams.last(run.id).catch(() => undefined))?.type === 'run.finished';
    if ((await last()) || (await sleep(this.finishGraceMs, conn).then(last))) {
      // Everything was seen already: nothing more will come.
      const end = await this.streams.last(run.id).catch(() => undefined);
      if (end && compareIds(conn.cursor, end.id) >= 0) conn.close();
      return false;
    }
    if (conn.isClosed) return true;
    beforeReplay?.();
    await this.replay(run.id, conn);
    conn.sendUnnumbered('run.finished', {
      runId: run.id,
      status: run.status,
      ...boundedField('outputs', run.outputs ?? {}),
      error: toPublicError(run.error),
      finishedAt: (run.finishedAt ?? new Date()).toISOString(),
    });
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

/** Waits `ms`, or less when the connection closes first. */
function sleep(ms: number, conn: SseConnection): Promise<void> {
  return new Promise((resolve) => conn.after(ms, resolve));
}
