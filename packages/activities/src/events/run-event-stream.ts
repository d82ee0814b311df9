import type { Redis } from 'ioredis';

export interface RunEvent {
  id: string;
  type: string;
  data: Record<string, unknown>;
}

/** Events a run stream keeps; older ones are trimmed. */
const MAX_EVENTS_PER_RUN = 10_000;
/** How long a finished run's events stay replayable. */
const FINISHED_TTL_SECONDS = 7 * 24 * 3600;

/**
 * The per-run event stream: one Redis stream per run, ids monotonic per run (Redis stream ids),
 * read back by the SSE endpoint with Last-Event-ID semantics.
 */
export class RunEventStream {
  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'weft',
  ) {}

  key(runId: string): string {
    return `${this.prefix}:run:${runId}:events`;
  }

  async publish(runId: string, type: string, data: Record<string, unknown>, final = false): Promise<string> {
    const key = this.key(runId);
    const pipeline = this.redis.multi().xadd(key, 'MAXLEN', '~', String(MAX_EVENTS_PER_RUN), '*', 'type', type, 'data', JSON.stringify(data));
    if (final) pipeline.expire(key, FINISHED_TTL_SECONDS);
    const [[err, id]] = (await pipeline.exec()) as [[Error | null, string]];
    if (err) throw err;
    return id;
  }

  /** Events after `afterId` (exclusive), oldest first. */
  async read(runId: string, afterId = '-', count = 1000): Promise<RunEvent[]> {
    const start = afterId === '-' ? '-' : `(${afterId}`;
    const entries = await this.redis.xrange(this.key(runId), start, '+', 'COUNT', count);
    return entries.map(([id, fields]) => {
      const f: Record<string, string> = {};
      for (let i = 0; i + 1 < fields.length; i += 2) f[fields[i]!] = fields[i + 1]!;
      return { id, type: f.type ?? 'unknown', data: JSON.parse(f.data ?? '{}') as Record<string, unknown> };
    });
  }
}
