import type { Redis } from 'ioredis';

export interface RunEvent {
  id: string;
  type: string;
  data: Record<string, unknown>;
}

/** How long a run's events are kept (WEFT_EVENTS_MAX_PER_RUN, WEFT_EVENTS_TTL_SECONDS). */
export interface EventRetention {
  /** events a run stream keeps; older ones are trimmed (approximately: MAXLEN ~) */
  maxEventsPerRun: number;
  /** how long a finished run's events stay replayable */
  finishedTtlSeconds: number;
}

export const DEFAULT_EVENT_RETENTION: EventRetention = { maxEventsPerRun: 10_000, finishedTtlSeconds: 7 * 24 * 3600 };

export interface RunEventStreamOptions extends Partial<EventRetention> {
  prefix?: string;
}

/**
 * XADD unless this event (by its dedupe member) was published before: activities are retried and
 * node records are handed to more than one activity, and each must still make exactly one event.
 * The dedupe set lives as long as the stream (same TTL once the run has finished).
 */
const PUBLISH_ONCE = `
if redis.call('SADD', KEYS[2], ARGV[1]) == 0 then return false end
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[2], '*', 'type', ARGV[3], 'data', ARGV[4])
if ARGV[5] ~= '0' then
  redis.call('EXPIRE', KEYS[1], ARGV[5])
  redis.call('EXPIRE', KEYS[2], ARGV[5])
else
  local ttl = redis.call('TTL', KEYS[1])
  if ttl > 0 then redis.call('EXPIRE', KEYS[2], ttl) end
end
return id`;

type OnceCommand = (stream: string, dedupe: string, member: string, maxlen: string, type: string, data: string, ttl: string) => Promise<string | null>;

/**
 * The per-run event stream: one Redis stream per run, ids monotonic per run (Redis stream ids),
 * read back by the SSE endpoint (apps/api/src/events) with Last-Event-ID semantics.
 */
export class RunEventStream {
  readonly retention: EventRetention;
  private readonly prefix: string;

  constructor(
    readonly redis: Redis,
    options: RunEventStreamOptions = {},
  ) {
    this.prefix = options.prefix ?? 'weft';
    this.retention = {
      maxEventsPerRun: options.maxEventsPerRun ?? DEFAULT_EVENT_RETENTION.maxEventsPerRun,
      finishedTtlSeconds: options.finishedTtlSeconds ?? DEFAULT_EVENT_RETENTION.finishedTtlSeconds,
    };
  }

  key(runId: string): string {
    return `${this.prefix}:run:${runId}:events`;
  }

  private dedupeKey(runId: string): string {
    return `${this.prefix}:run:${runId}:published`;
  }

  /** Appends an event; `final` (run.finished) starts the stream's time to live. Returns its id. */
  async publish(runId: string, type: string, data: Record<string, unknown>, final = false): Promise<string> {
    const key = this.key(runId);
    const pipeline = this.redis.multi().xadd(key, 'MAXLEN', '~', String(this.retention.maxEventsPerRun), '*', 'type', type, 'data', JSON.stringify(data));
    if (final) pipeline.expire(key, this.retention.finishedTtlSeconds).expire(this.dedupeKey(runId), this.retention.finishedTtlSeconds);
    const [[err, id]] = (await pipeline.exec()) as [[Error | null, string]];
    if (err) throw err;
    return id;
  }

  /**
   * Appends an event unless one with the same `once` member was published for this run before:
   * returns its id, or null when it had been. For events a retried activity would repeat.
   */
  async publishOnce(runId: string, once: string, type: string, data: Record<string, unknown>, final = false): Promise<string | null> {
    // Defined on first use (EVALSHA, with the script sent again when Redis does not know it).
    const redis = this.redis as unknown as Redis & { weftPublishOnce?: OnceCommand };
    if (!redis.weftPublishOnce) redis.defineCommand('weftPublishOnce', { numberOfKeys: 2, lua: PUBLISH_ONCE });
    const command = redis.weftPublishOnce!.bind(redis);
    const ttl = final ? String(this.retention.finishedTtlSeconds) : '0';
    return command(this.key(runId), this.dedupeKey(runId), once, String(this.retention.maxEventsPerRun), type, JSON.stringify(data), ttl);
  }

  /** Events after `afterId` (exclusive), oldest first. */
  async read(runId: string, afterId = '-', count = 1000): Promise<RunEvent[]> {
    const start = afterId === '-' ? '-' : `(${afterId}`;
    const entries = await this.redis.xrange(this.key(runId), start, '+', 'COUNT', count);
    return entries.map(([id, fields]) => {
      const f = streamFields(fields);
      return { id, type: f.type ?? 'unknown', data: JSON.parse(f.data ?? '{}') as Record<string, unknown> };
    });
  }

  /** The newest event of a run, if any. */
  async last(runId: string): Promise<RunEvent | undefined> {
    const [entry] = await this.redis.xrevrange(this.key(runId), '+', '-', 'COUNT', 1);
    if (!entry) return undefined;
    const f = streamFields(entry[1]);
    return { id: entry[0], type: f.type ?? 'unknown', data: JSON.parse(f.data ?? '{}') as Record<string, unknown> };
  }
}

/** A stream entry's flat [field, value, …] list as a record. */
export function streamFields(fields: readonly string[]): Record<string, string> {
  const f: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) f[fields[i]!] = fields[i + 1]!;
  return f;
}
