import { authHeaders } from './client';
import { errorFromBody, type ApiError } from './errors';
import { SseParser, type SseEvent } from './sse-parser';

export interface StreamOptions {
  /** called for every event but pings, in order, with its JSON data parsed */
  onEvent(type: string, data: any, id?: string): void;
  /** true for the event after which the stream is complete (run.finished): no reconnect after it */
  isFinal?(type: string, data: any): boolean;
  onError?(err: ApiError): void;
  /** connected (true) or waiting to reconnect (false) */
  onConnection?(live: boolean): void;
}

/**
 * Follows a live event stream of the API (GET …/events) with the session's credentials (EventSource
 * cannot send them): reconnects with Last-Event-ID after a drop, with the server's retry delay and
 * backing off to 10 s, until the final event or until the returned function is called.
 */
export function followEvents(path: string, opts: StreamOptions): () => void {
  const abort = new AbortController();
  let lastId: string | undefined;
  let delay = 1000;
  let done = false;

  const run = async () => {
    while (!done && !abort.signal.aborted) {
      const parser = new SseParser();
      try {
        const headers: Record<string, string> = { Accept: 'text/event-stream', ...(await authHeaders()) };
        if (lastId) headers['Last-Event-ID'] = lastId;
        const res = await fetch(path, { headers, signal: abort.signal });
        if (!res.ok || !res.body) {
          const err = errorFromBody(res.status, await res.json().catch(() => null));
          opts.onError?.(err);
          // Not found, forbidden: no point in trying again. A 401 may be a token that died: try once more.
          if (res.status !== 401 && res.status !== 429 && res.status < 500) return;
        } else {
          opts.onConnection?.(true);
          delay = 1000;
          const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
          for (;;) {
            const { value, done: ended } = await reader.read();
            if (ended) break;
            for (const ev of parser.feed(value)) {
              if (ev.retry !== undefined) delay = ev.retry;
              if (ev.id) lastId = ev.id;
              if (deliver(ev)) {
                done = true;
                await reader.cancel().catch(() => undefined);
                return;
              }
            }
          }
        }
      } catch {
        if (abort.signal.aborted) return;
      }
      opts.onConnection?.(false);
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 10_000);
    }
  };

  const deliver = (ev: SseEvent): boolean => {
    if (ev.event === 'ping') return false;
    let data: unknown = null;
    try {
      data = ev.data ? JSON.parse(ev.data) : null;
    } catch {
      return false;
    }
    opts.onEvent(ev.event, data, ev.id);
    return opts.isFinal?.(ev.event, data) ?? false;
  };

  void run();
  return () => {
    done = true;
    abort.abort();
  };
}
