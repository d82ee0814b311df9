import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { streamFields, type Logger, type RunEventStream } from '@weft/activities';

/** One event as read from a run's stream: `data` is the JSON text as stored, passed on untouched. */
export interface StreamEntry {
  id: string;
  type: string;
  data: string;
}

/** A live reader of one run's events (an SSE connection). */
export interface EventSubscriber {
  readonly runId: string;
  /** the id of the last event it was given; '0-0' before the first */
  cursor: string;
  /** false while it cannot take more (its connection's buffer is full): it is skipped until woken */
  ready(): boolean;
  /** events after its cursor, oldest first; it moves its cursor past them */
  deliver(entries: readonly StreamEntry[]): void;
}

export interface RunEventHubOptions {
  /** events read per stream and round */
  batch?: number;
  /** how long one XREAD waits for new events before looking again */
  blockMs?: number;
  /** pause after a failed read (Redis away) before the next */
  retryMs?: number;
  /**
   * how long the reader connection stays open after the last subscriber left (0: closed at once).
   * Blocking run starts subscribe for a few hundred ms each: without this, each would open one.
   */
  lingerMs?: number;
}

/** Orders two stream ids ("ms-seq"). */
export function compareIds(a: string, b: string): number {
  const [am = 0, as = 0] = a.split('-').map(Number);
  const [bm = 0, bs = 0] = b.split('-').map(Number);
  return am - bm || as - bs;
}

/**
 * Every live event stream of this API process reads through here: one Redis connection, opened
 * when the first subscriber arrives and closed when the last one leaves, runs one XREAD BLOCK over
 * the streams of all runs being watched, each from the oldest cursor among its ready subscribers,
 * and hands each subscriber the events past its own cursor. A subscriber that arrives (or becomes
 * ready again) while the read is blocked wakes it with CLIENT UNBLOCK from the shared command
 * connection. A thousand clients cost one connection and one command in flight, not a thousand
 * blocked connections. Why this design: docs/adr/0009-live-run-events.md.
 */
export class RunEventHub {
  private readonly subscribers = new Set<EventSubscriber>();
  private readonly batch: number;
  private readonly blockMs: number;
  private readonly retryMs: number;
  private readonly lingerMs: number;
  /** the reader connection's name (CLIENT LIST shows it while it exists) */
  readonly connectionName = `weft-events-${process.pid}-${randomBytes(3).toString('hex')}`;
  private running = false;
  private blocked = false;
  private readerId: string | undefined;
  /** set by wake(): the subscriber set or a cursor changed since the current read was sent */
  private dirty = false;
  private idle: (() => void) | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly streams: RunEventStream,
    private readonly logger: Logger,
    options: RunEventHubOptions = {},
  ) {
    this.batch = options.batch ?? 200;
    this.blockMs = options.blockMs ?? 5_000;
    this.retryMs = options.retryMs ?? 1_000;
    this.lingerMs = options.lingerMs ?? 0;
  }

  /** Starts delivering to `subscriber`; returns the function that stops it. */
  subscribe(subscriber: EventSubscriber): () => void {
    this.subscribers.add(subscriber);
    this.wake();
    return () => {
      if (this.subscribers.delete(subscriber)) this.wake();
    };
  }

  /** Something changed (a subscriber came, left or can take more again): read with it in mind. */
  wake(): void {
    this.dirty = true;
    if (!this.running) {
      if (this.subscribers.size) void this.loop();
      return;
    }
    this.idle?.();
    if (this.blocked) void this.unblock();
  }

  /** For tests and metrics: live subscribers, and whether the reader connection is open. */
  stats(): { subscribers: number; reading: boolean } {
    return { subscribers: this.subscribers.size, reading: this.running };
  }

  /**
   * CLIENT UNBLOCK may reach Redis before the XREAD it means to end (they travel on different
   * connections): while the read is still blocked and nothing has picked the change up, try again.
   */
  private async unblock(): Promise<void> {
    for (let i = 0; i < 20 && this.blocked && this.dirty && this.readerId; i++) {
      const done = await this.redis.client('UNBLOCK', this.readerId).catch(() => 0);
      if (done === 1) return;
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  private async loop(): Promise<void> {
    this.running = true;
    // Its own connection: a blocked XREAD holds it. Commands wait for it to (re)connect.
    const reader = this.redis.duplicate({ connectionName: this.connectionName, enableOfflineQueue: true, maxRetriesPerRequest: 1 });
    reader.on('error', () => undefined); // reported by the read that fails
    reader.on('ready', () => (this.readerId = undefined)); // a new connection has a new id
    let failures = 0;
    try {
      while (this.subscribers.size || (await this.lingered())) {
        try {
          this.readerId ??= String(await reader.client('ID'));
          await this.readOnce(reader);
          failures = 0;
        } catch (err) {
          if (failures++ === 0) this.logger.warn('live events could not be read; retrying', { message: (err as Error).message });
          this.readerId = undefined;
          await this.pause(this.retryMs);
        }
      }
    } finally {
      // Nothing awaits between the last check of the subscribers and here: one that arrives
      // later starts a new loop with a new connection.
      this.running = false;
      this.readerId = undefined;
      reader.disconnect();
    }
  }

  private async readOnce(reader: Redis): Promise<void> {
    const from = new Map<string, string>();
    for (const s of this.subscribers) {
      if (!s.ready()) continue;
      const at = from.get(s.runId);
      if (at === undefined || compareIds(s.cursor, at) < 0) from.set(s.runId, s.cursor);
    }
    this.dirty = false;
    if (!from.size) {
      await this.pause(this.blockMs); // every subscriber is full: wait until one drains
      return;
    }
    const runOf = new Map([...from.keys()].map((runId) => [this.streams.key(runId), runId]));
    this.blocked = true;
    let reply: [string, [string, string[]][]][] | null;
    try {
      reply = (await reader.xread('COUNT', this.batch, 'BLOCK', this.blockMs, 'STREAMS', ...runOf.keys(), ...from.values())) as typeof reply;
    } finally {
      this.blocked = false;
    }
    for (const [key, entries] of reply ?? []) {
      const runId = runOf.get(key);
      if (runId === undefined || !entries.length) continue;
      const events = entries.map(([id, fields]): StreamEntry => {
        const f = streamFields(fields);
        return { id, type: f.type ?? 'unknown', data: f.data ?? '{}' };
      });
      for (const s of [...this.subscribers]) {
        if (s.runId !== runId || !s.ready()) continue;
        const fresh = events.filter((e) => compareIds(e.id, s.cursor) > 0);
        if (fresh.length) s.deliver(fresh);
      }
    }
  }

  /** With no subscriber left: waits up to lingerMs for one (the connection stays open); true if one came. */
  private async lingered(): Promise<boolean> {
    if (this.lingerMs <= 0) return false;
    await this.pause(this.lingerMs, false);
    return this.subscribers.size > 0;
  }

  /** Waits `ms`, or less when woken; `hold: false` does not keep the process alive for it. */
  private pause(ms: number, hold = true): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        if (this.idle === done) this.idle = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      if (!hold) timer.unref();
      this.idle = done;
    });
  }
}
