import { openAsBlob } from 'node:fs';
import { basename } from 'node:path';

/**
 * The HTTP side of `npm run ingest`: the few routes it calls, over fetch, with the API's error
 * envelope turned into an ApiCallError carrying the code and the issues.
 */

export class ApiCallError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly issues: { code: string; message: string }[] = [],
  ) {
    super(message);
  }
}

export interface KnowledgeSummary {
  id: string;
  name: string;
  indexing: string;
}

export interface UploadAnswer {
  jobId: string | null;
  documents: { id: string; name: string; status: string }[];
  skipped: { name: string; documentId: string; status: string }[];
}

export interface JobDocument {
  id: string;
  name: string;
  status: string;
  error: { code: string; message: string } | null;
}

export interface JobState {
  id: string;
  status: string;
  total: number;
  succeeded: number;
  failed: number;
  progress: number;
  documents: JobDocument[];
}

export interface JobEvent {
  id?: string;
  type: string;
  data: Record<string, unknown>;
}

export class IngestClient {
  constructor(
    private readonly baseUrl: string,
    private readonly key: string,
  ) {}

  private async call<T>(method: string, path: string, init: { json?: unknown; form?: FormData } = {}): Promise<T> {
    let res: Response;
    try {
      res = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${this.key}`, ...(init.json !== undefined ? { 'content-type': 'application/json' } : {}) },
        body: init.form ?? (init.json !== undefined ? JSON.stringify(init.json) : undefined),
      });
    } catch (err) {
      throw new ApiCallError(0, 'api_unreachable', `The API at ${this.baseUrl} cannot be reached (${(err as Error).message})`);
    }
    const body = (await res.json().catch(() => undefined)) as { data?: T; code?: string; message?: string; details?: { issues?: { code: string; message: string }[] } } | undefined;
    if (!res.ok) throw new ApiCallError(res.status, body?.code ?? `http_${res.status}`, body?.message ?? res.statusText, body?.details?.issues ?? []);
    return body!.data as T;
  }

  /** A knowledge by id, else by exact name; undefined when there is none. */
  async findKnowledge(ref: string): Promise<KnowledgeSummary | undefined> {
    if (/^kb_[A-Za-z0-9]+$/.test(ref)) {
      try {
        return await this.call<KnowledgeSummary>('GET', `/v1/knowledge/${ref}`);
      } catch (err) {
        if (!(err instanceof ApiCallError && err.status === 404)) throw err;
      }
    }
    const found = await this.call<KnowledgeSummary[]>('GET', `/v1/knowledge?name=${encodeURIComponent(ref)}`);
    return found[0];
  }

  createKnowledge(name: string): Promise<KnowledgeSummary> {
    return this.call<KnowledgeSummary>('POST', '/v1/knowledge', { json: { name } });
  }

  /** Uploads files as one multipart request; each file is streamed from disk. */
  async upload(knowledgeId: string, paths: readonly string[]): Promise<UploadAnswer> {
    const form = new FormData();
    for (const path of paths) form.append('files', await openAsBlob(path), basename(path));
    form.append('source', 'cli');
    return this.call<UploadAnswer>('POST', `/v1/knowledge/${knowledgeId}/documents`, { form });
  }

  job(jobId: string): Promise<JobState> {
    return this.call<JobState>('GET', `/v1/ingestion-jobs/${jobId}`);
  }

  /**
   * The job's events until the stream ends (after job.finished). A stream cut short (a restart of
   * the API, a proxy's timeout) is opened again after the last event seen, a few times at most.
   */
  async *events(jobId: string): AsyncGenerator<JobEvent> {
    let lastId: string | undefined;
    let waitMs = 500;
    for (let tries = 0; tries < 5; tries++) {
      let finished = false;
      try {
        const res = await fetch(`${this.baseUrl}/v1/ingestion-jobs/${jobId}/events`, {
          headers: { authorization: `Bearer ${this.key}`, accept: 'text/event-stream', ...(lastId ? { 'last-event-id': lastId } : {}) },
        });
        if (!res.ok || !res.body) {
          const body = (await res.json().catch(() => undefined)) as { code?: string; message?: string } | undefined;
          throw new ApiCallError(res.status, body?.code ?? `http_${res.status}`, body?.message ?? res.statusText);
        }
        for await (const event of frames(res.body)) {
          if (event.id) lastId = event.id;
          if (event.type === 'job.finished') finished = true;
          // The API is shutting down (a deploy): not a failure, so not a try; come back when it says.
          if (event.type === 'server.closing') {
            tries--;
            waitMs = typeof event.data.retryMs === 'number' ? event.data.retryMs : 500;
          }
          yield event;
        }
      } catch (err) {
        if (err instanceof ApiCallError) throw err;
        // cut off: try again after the last event seen
      }
      if (finished) return;
      await new Promise((r) => setTimeout(r, waitMs));
      waitMs = 500;
    }
  }
}

/**
 * One server-sent event frame ("field: value" lines; comments, ":", carry nothing): its id, its
 * type (`message` when it names none) and its data lines joined, undefined when it has none.
 */
export function parseSseFrame(frame: string): { id?: string; event: string; data?: string; retry?: number } {
  let id: string | undefined;
  let retry: number | undefined;
  let event = 'message';
  const data: string[] = [];
  for (const line of frame.split('\n')) {
    if (!line || line.startsWith(':')) continue;
    const at = line.indexOf(':');
    const field = at < 0 ? line : line.slice(0, at);
    const value = at < 0 ? '' : line.slice(at + 1).replace(/^ /, '');
    if (field === 'id') id = value;
    else if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
    else if (field === 'retry' && /^\d+$/.test(value)) retry = Number(value);
  }
  return { ...(id !== undefined ? { id } : {}), event, ...(data.length ? { data: data.join('\n') } : {}), ...(retry !== undefined ? { retry } : {}) };
}

/** Server-sent events from a response body: `id:`, `event:` and `data:` lines, frames split by a blank line. */
async function* frames(body: ReadableStream<Uint8Array>): AsyncGenerator<JobEvent> {
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true }).replace(/\r\n?/g, '\n');
    for (let cut = buffer.indexOf('\n\n'); cut >= 0; cut = buffer.indexOf('\n\n')) {
      const frame = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      const { id, event: type, data } = parseSseFrame(frame);
      if (data === undefined) continue;
      let parsed: Record<string, unknown> = {};
      try {
        parsed = JSON.parse(data) as Record<string, unknown>;
      } catch {
        // not JSON: nothing the tool reads
      }
      yield { ...(id !== undefined ? { id } : {}), type, data: parsed };
    }
  }
}
