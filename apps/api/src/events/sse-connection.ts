import type { Response } from 'express';
import { compareIds, type EventSubscriber, type StreamEntry } from './run-event-hub';

/** One SSE frame. Stored data is JSON (no raw newlines); any other line break still makes valid frames. */
export function sseFrame(event: { id?: string; type: string; data: string }): string {
  const type = event.type.replace(/[\r\n]/g, ' ');
  const data = event.data
    .split(/\r\n|\r|\n/)
    .map((line) => `data: ${line}`)
    .join('\n');
  return `${event.id !== undefined ? `id: ${event.id}\n` : ''}event: ${type}\n${data}\n\n`;
}

export interface SseOptions {
  /** the stream's id: a run's, or an ingestion job's */
  runId: string;
  /** whether an event is the one after which the stream ends (a `run.finished`, the current attempt's `job.finished`) */
  isFinal: (event: StreamEntry) => boolean;
  /** the last event id the client saw ('0-0': none) */
  after: string;
  pingMs: number;
  /** close after this long (0: never); the client resumes with Last-Event-ID */
  maxStreamMs: number;
  /** called once, whoever closes: releases the connection's slot and subscription */
  onClose: () => void;
}

/**
 * The server side of one live event stream: writes events as frames, pings while idle, and holds
 * back (is not `ready`) while the client reads slower than events come, so what waits for a slow
 * client is in Redis, not in this process. The stream ends after its final event (`run.finished`, `job.finished`), when the client
 * goes away, or after `maxStreamMs`; every timer and the subscription go with it.
 */
export class SseConnection implements EventSubscriber {
  readonly runId: string;
  cursor: string;
  private readonly timers: NodeJS.Timeout[] = [];
  /** callbacks of after() still waiting: called at once when the stream closes */
  private readonly waiting = new Set<() => void>();
  private closed = false;
  /** set by the caller: wakes the hub when the client can take more */
  onDrain: () => void = () => undefined;

  constructor(
    private readonly res: Response,
    private readonly options: SseOptions,
  ) {
    this.runId = options.runId;
    this.cursor = options.after;
  }

  /** Sends the headers; from here on errors end the stream rather than answering with a status. */
  open(): void {
    const { res } = this;
    res.status(200);
    res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    res.setHeader('Cache-Control', 'no-cache, no-transform');
    res.setHeader('Connection', 'keep-alive');
    // nginx and similar proxies buffer responses unless told not to.
    res.setHeader('X-Accel-Buffering', 'no');
    res.flushHeaders();
    res.write(': weft events\n\n');
    res.on('close', () => this.close());
    res.on('drain', () => this.onDrain());
    this.timers.push(setInterval(() => this.ping(), this.options.pingMs));
    if (this.options.maxStreamMs > 0) this.timers.push(setTimeout(() => this.close(), this.options.maxStreamMs));
  }

  ready(): boolean {
    return !this.closed && !this.res.writableNeedDrain;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Live timers of this stream (none once it has closed). */
  get timerCount(): number {
    return this.timers.length + this.waiting.size;
  }

  /** Calls `fn` every `ms` while the stream is open. */
  every(ms: number, fn: () => void): void {
    if (!this.closed) this.timers.push(setInterval(fn, ms));
  }

  /** Calls `fn` after `ms`, or when the stream closes, whichever comes first. */
  after(ms: number, fn: () => void): void {
    if (this.closed) return fn();
    const once = () => {
      clearTimeout(timer);
      this.waiting.delete(once);
      fn();
    };
    const timer = setTimeout(once, ms);
    this.waiting.add(once);
  }

  /** Writes the events past the cursor (earlier ones were sent already, by another path). */
  deliver(entries: readonly StreamEntry[]): void {
    for (const e of entries) {
      if (this.closed) return;
      if (compareIds(e.id, this.cursor) <= 0) continue;
      this.res.write(sseFrame(e));
      this.cursor = e.id;
      if (this.options.isFinal(e)) {
        this.close();
        return;
      }
    }
  }

  /** An event that is not in the stream (a final event made from the record): no id, so a reconnect resumes where it was. */
  sendUnnumbered(type: string, data: unknown): void {
    if (!this.closed) this.res.write(sseFrame({ type, data: JSON.stringify(data) }));
  }

  /** Waits until the client has taken what was written (or has gone). */
  drained(): Promise<void> {
    if (this.closed || !this.res.writableNeedDrain) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        this.res.off('drain', done);
        this.res.off('close', done);
        resolve();
      };
      this.res.on('drain', done);
      this.res.on('close', done);
    });
  }

  /**
   * Ends the stream because this process is shutting down: `retry:` tells the client how long to
   * wait before it reconnects (EventSource honours it), and `server.closing` (no id, so it moves
   * no cursor) tells any client that the end is deliberate and to resume with Last-Event-ID.
   */
  goAway(retryMs: number): void {
    if (this.closed) return;
    this.res.write(`retry: ${retryMs}\n`);
    this.res.write(sseFrame({ type: 'server.closing', data: JSON.stringify({ reason: 'shutdown', retryMs }) }));
    this.close();
  }

  private ping(): void {
    if (!this.closed) this.res.write(sseFrame({ type: 'ping', data: JSON.stringify({ at: new Date().toISOString() }) }));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.length = 0;
    for (const w of [...this.waiting]) w();
    this.options.onClose();
    if (!this.res.writableEnded) this.res.end();
  }
}
