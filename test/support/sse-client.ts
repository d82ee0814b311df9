import { parseSseFrame } from '../../apps/api/src/cli/ingest-client';
/** One server-sent event as a client sees it. */
export interface SseEvent {
  id?: string;
  event: string;
  data: any;
  /** the frame's `retry:` field (a reconnect delay in ms), when it has one */
  retry?: number;
}

export interface SseStream {
  status: number;
  headers: Headers;
  /** the error body when the answer was not a stream */
  body?: any;
  /** the next event, or undefined once the server has ended the stream */
  next(timeoutMs?: number): Promise<SseEvent | undefined>;
  /** events (pings left out unless asked for) until one matches `until` (included) or the stream ends */
  collect(until?: (e: SseEvent) => boolean, options?: { timeoutMs?: number; pings?: boolean }): Promise<SseEvent[]>;
  /** every ping received so far */
  pings: SseEvent[];
  /** resolves when the server ends the stream */
  ended: Promise<void>;
  /** the client goes away */
  close(): void;
}

/** Parses one frame with the CLI's parser (the same one `npm run ingest` reads streams with). */
function parseFrame(frame: string): SseEvent | undefined {
  const { id, event, data, retry } = parseSseFrame(frame);
  if (data === undefined && id === undefined) return undefined;
  const text = data ?? '';
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // kept as text
  }
  return { ...(id !== undefined ? { id } : {}), event, data: parsed, ...(retry !== undefined ? { retry } : {}) };
}

/** Opens a run's event stream over plain fetch (what a non-browser client does). */
export function openEvents(baseUrl: string, runId: string, key: string, options: { lastEventId?: string; query?: string } = {}): Promise<SseStream> {
  return openStream(baseUrl, `/v1/runs/${runId}/events`, key, options);
}

/** Opens the event stream at `path` (a run's, an ingestion job's). */
export async function openStream(baseUrl: string, path: string, key: string, options: { lastEventId?: string; query?: string } = {}): Promise<SseStream> {
  const controller = new AbortController();
  const res = await fetch(`${baseUrl}${path}${options.query ?? ''}`, {
    headers: { authorization: `Bearer ${key}`, accept: 'text/event-stream', ...(options.lastEventId ? { 'last-event-id': options.lastEventId } : {}) },
    signal: controller.signal,
  });
  const queue: SseEvent[] = [];
  const pings: SseEvent[] = [];
  const waiters: (() => void)[] = [];
  let done = false;
  const notify = () => waiters.splice(0).forEach((w) => w());
  if (!(res.headers.get('content-type') ?? '').startsWith('text/event-stream')) {
    const body = await res.json().catch(() => undefined);
    return { status: res.status, headers: res.headers, body, next: async () => undefined, collect: async () => [], pings, ended: Promise.resolve(), close: () => undefined };
  }
  const ended = (async () => {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        for (let cut = buffer.indexOf('\n\n'); cut >= 0; cut = buffer.indexOf('\n\n')) {
          const event = parseFrame(buffer.slice(0, cut));
          buffer = buffer.slice(cut + 2);
          if (!event) continue;
          if (event.event === 'ping') pings.push(event);
          queue.push(event);
          notify();
        }
      }
    } catch {
      // aborted by close()
    } finally {
      done = true;
      notify();
    }
  })();

  const next = async (timeoutMs = 30_000): Promise<SseEvent | undefined> => {
    const deadline = Date.now() + timeoutMs;
    while (!queue.length && !done) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no event within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return queue.shift();
  };

  return {
    status: res.status,
    headers: res.headers,
    pings,
    ended,
    next,
    async collect(until, { timeoutMs = 60_000, pings: withPings = false } = {}) {
      const out: SseEvent[] = [];
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const e = await next(Math.max(1, deadline - Date.now()));
        if (!e) return out;
        if (e.event === 'ping' && !withPings) continue;
        out.push(e);
        if (until?.(e)) return out;
      }
    },
    close: () => controller.abort(),
  };
}

/** What a client that follows a run's stream to its end, across restarts of the API, saw. */
export interface FollowedStream {
  /** every event received (pings left out), over all connections, in order */
  events: SseEvent[];
  /** the Last-Event-ID sent on each reconnection that the API answered (undefined: none seen yet) */
  resumedFrom: (string | undefined)[];
}

/**
 * Follows a run's events as a careful client does: when the stream ends before run.finished (the
 * API shut down), it waits the `retry:` hint and reconnects with Last-Event-ID, again and again
 * while the API is away, until run.finished or `timeoutMs`. `stop()` ends it early.
 */
export function followEvents(baseUrl: string, runId: string, key: string, timeoutMs = 120_000): { seen: FollowedStream; done: Promise<FollowedStream>; stop(): void } {
  const seen: FollowedStream = { events: [], resumedFrom: [] };
  let stopped = false;
  let current: SseStream | undefined;
  const done = (async () => {
    const deadline = Date.now() + timeoutMs;
    let waitMs = 200;
    let first = true;
    while (!stopped) {
      if (Date.now() > deadline) throw new Error(`run ${runId}: no run.finished within ${timeoutMs} ms (${seen.events.length} events)`);
      const lastEventId = [...seen.events].reverse().find((e) => e.id !== undefined)?.id;
      try {
        current = await openEvents(baseUrl, runId, key, lastEventId ? { lastEventId } : {});
      } catch {
        // The API is away (restarting): try again shortly.
        await new Promise((r) => setTimeout(r, waitMs));
        continue;
      }
      if (current.status !== 200) throw new Error(`run ${runId}: events answered ${current.status} ${JSON.stringify(current.body)}`);
      if (!first) seen.resumedFrom.push(lastEventId);
      first = false;
      for (;;) {
        const e = await current.next(Math.max(1, deadline - Date.now())).catch(() => undefined);
        if (!e) break;
        if (e.event === 'ping') continue;
        seen.events.push(e);
        if (e.retry !== undefined) waitMs = e.retry;
        if (e.event === 'run.finished') return seen;
      }
      await new Promise((r) => setTimeout(r, waitMs));
    }
    return seen;
  })();
  return {
    seen,
    done,
    stop() {
      stopped = true;
      current?.close();
    },
  };
}
