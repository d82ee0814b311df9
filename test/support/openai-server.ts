import { createHash } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local server speaking OpenAI's wire protocol on 127.0.0.1 — the only fake in the LLM suites,
 * standing in for the vendor we do not run, and driven only through the real `openai` SDK.
 *   GET /v1/models, POST /v1/chat/completions (JSON or SSE, with the usage chunk when
 *   `stream_options.include_usage`), POST /v1/embeddings (float or base64; a hashed bag of words,
 *   so texts that share words are near each other: see expectedVector).
 * Chat answers come from a queue of scripted replies, then from a rule, then echo the last user
 * message. Embeddings answer from their own queue of scripted failures, else with `expectedVector`:
 * a bag of words, so texts that share words land near each other and retrieval tests can assert
 * which document comes back. Every request is recorded (headers, body, whether the client went away early).
 */
export type Reply =
  | {
      kind: 'text';
      text: string;
      finishReason?: string;
      /** usage to report; default: words in the prompt and chunks in the answer; null: none */
      usage?: { prompt_tokens: number; completion_tokens: number } | null;
      /** pause before each streamed chunk (or before a non-streamed answer) */
      chunkDelayMs?: number;
      /** stream exactly these pieces (their concatenation should be `text`); default: one word each */
      chunks?: string[];
    }
  | { kind: 'error'; status: number; message?: string; headers?: Record<string, string> }
  /** a body that is not OpenAI's error shape, e.g. the HTML error page of whatever answers there */
  | { kind: 'raw'; status: number; body: string; contentType: string }
  /** accept the request and never answer */
  | { kind: 'hang' };

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: any;
  /** the client closed the connection before the answer was complete */
  closedEarly: boolean;
  /** chunks written to a stream before it ended or was closed */
  chunksSent: number;
}

export interface OpenAiServer {
  /** base URL for the SDK / a model provider: http://127.0.0.1:<port>/v1 */
  url: string;
  requests: RecordedRequest[];
  chats(): RecordedRequest[];
  embeddingCalls(): RecordedRequest[];
  /** how long each embedding answer waits (0: none), e.g. to keep an ingestion batch in flight */
  embeddingDelayMs: number;
  enqueue(...replies: Reply[]): void;
  /** answers for the next embedding requests (errors, raw bodies, hangs); then vectors again */
  enqueueEmbedding(...replies: Exclude<Reply, { kind: 'text' }>[]): void;
  /** the answer when the queue is empty (undefined: echo) */
  rule: ((req: RecordedRequest) => Reply | undefined) | undefined;
  /** a failure to answer an embeddings request with (an error, raw or hang reply); undefined: embed */
  embeddingRule: ((req: RecordedRequest) => Exclude<Reply, { kind: 'text' }> | undefined) | undefined;
  models: string[];
  reset(): void;
  close(): Promise<void>;
}

export const words = (s: string) => s.split(/\s+/).filter(Boolean).length;
/** The pieces a text is streamed in: one word with its trailing space each. */
export const pieces = (s: string) => s.match(/\s*\S+\s*/g) ?? (s ? [s] : []);

/** A pause that ends early when the client goes away, so a closed server leaves no timers behind. */
const pause = (ms: number, res: ServerResponse) =>
  new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      res.off('close', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    res.on('close', done);
  });

export async function startOpenAiServer(): Promise<OpenAiServer> {
  const queue: Reply[] = [];
  const embeddingQueue: Exclude<Reply, { kind: 'text' }>[] = [];
  const state: OpenAiServer = {
    url: '',
    requests: [],
    chats: () => state.requests.filter((r) => r.path.endsWith('/chat/completions')),
    embeddingCalls: () => state.requests.filter((r) => r.path.endsWith('/embeddings')),
    embeddingDelayMs: 0,
    enqueue: (...replies) => void queue.push(...replies),
    enqueueEmbedding: (...replies) => void embeddingQueue.push(...replies),
    rule: undefined,
    embeddingRule: undefined,
    models: ['gpt-test', 'gpt-test-mini', 'embed-test'],
    reset() {
      queue.length = 0;
      embeddingQueue.length = 0;
      state.requests.length = 0;
      state.rule = undefined;
      state.embeddingDelayMs = 0;
      state.embeddingRule = undefined;
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };

  const server = createServer((req, res) => {
    void handle(req, res).catch((err: Error) => {
      if (!res.headersSent) sendError(res, 500, err.message);
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const path = (req.url ?? '/').split('?')[0]!.replace(/^\/v1/, '');
    const rec: RecordedRequest = { method: req.method ?? 'GET', path: `/v1${path}`, headers: req.headers, body: text ? JSON.parse(text) : undefined, closedEarly: false, chunksSent: 0 };
    state.requests.push(rec);
    res.on('close', () => {
      if (!res.writableFinished) rec.closedEarly = true;
    });
    if (req.method === 'GET' && path === '/models') {
      return sendJson(res, 200, { object: 'list', data: state.models.map((id) => ({ id, object: 'model', created: 1_700_000_000, owned_by: 'weft-test' })) });
    }
    if (req.method === 'POST' && path === '/embeddings') {
      const scripted = embeddingQueue.shift() ?? state.embeddingRule?.(rec);
      if (scripted) return failure(res, scripted);
      if (state.embeddingDelayMs > 0) await pause(state.embeddingDelayMs, res);
      if (res.destroyed) return;
      return embeddings(rec, res);
    }
    if (req.method === 'POST' && path === '/chat/completions') return chat(rec, res, queue.shift() ?? state.rule?.(rec) ?? echo(rec));
    sendError(res, 404, `Unknown path ${req.method} ${rec.path}`);
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  return state;
}

function echo(rec: RecordedRequest): Reply {
  const user = [...(rec.body.messages as { role: string; content: string }[])].reverse().find((m) => m.role === 'user');
  return { kind: 'text', text: `You said: ${user?.content ?? ''}` };
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

function sendError(res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}) {
  const type = status === 429 ? 'rate_limit_error' : status >= 500 ? 'server_error' : 'invalid_request_error';
  sendJson(res, status, { error: { message, type, param: null, code: null } }, headers);
}

function failure(res: ServerResponse, reply: Exclude<Reply, { kind: 'text' }>) {
  if (reply.kind === 'hang') return; // the socket stays open until the client gives up
  if (reply.kind === 'error') return sendError(res, reply.status, reply.message ?? `scripted ${reply.status}`, reply.headers);
  res.writeHead(reply.status, { 'content-type': reply.contentType });
  res.end(reply.body);
}

async function chat(rec: RecordedRequest, res: ServerResponse, reply: Reply) {
  if (reply.kind !== 'text') return failure(res, reply);
  const body = rec.body as { model: string; messages: { content: string }[]; stream?: boolean; stream_options?: { include_usage?: boolean } };
  const parts = reply.chunks ?? pieces(reply.text);
  const usage =
    reply.usage === null ? undefined : (reply.usage ?? { prompt_tokens: body.messages.reduce((n, m) => n + words(m.content), 0), completion_tokens: parts.length });
  const withTotal = usage && { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens };
  const finish = reply.finishReason ?? 'stop';
  const base = { id: 'chatcmpl-test', created: 1_700_000_000, model: body.model };
  if (!body.stream) {
    if (reply.chunkDelayMs) await pause(reply.chunkDelayMs, res);
    if (res.destroyed) return;
    return sendJson(res, 200, {
      ...base,
      object: 'chat.completion',
      choices: [{ index: 0, message: { role: 'assistant', content: reply.text, refusal: null }, finish_reason: finish, logprobs: null }],
      ...(withTotal ? { usage: withTotal } : {}),
    });
  }
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  const send = (chunk: unknown) => {
    res.write(`data: ${JSON.stringify({ ...base, object: 'chat.completion.chunk', ...(chunk as object) })}\n\n`);
    rec.chunksSent++;
  };
  send({ choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] });
  for (const piece of parts) {
    if (reply.chunkDelayMs) await pause(reply.chunkDelayMs, res);
    if (rec.closedEarly || res.destroyed) return;
    send({ choices: [{ index: 0, delta: { content: piece }, finish_reason: null }] });
  }
  send({ choices: [{ index: 0, delta: {}, finish_reason: finish }] });
  if (withTotal && body.stream_options?.include_usage) send({ choices: [], usage: withTotal });
  res.end('data: [DONE]\n\n');
}

function embeddings(rec: RecordedRequest, res: ServerResponse) {
  const body = rec.body as { model: string; input: string | string[]; dimensions?: number; encoding_format?: string };
  const inputs = Array.isArray(body.input) ? body.input : [body.input];
  const dims = body.dimensions ?? DEFAULT_DIMENSIONS;
  const data = inputs.map((text, index) => {
    const vector = expectedVector(text, dims);
    const embedding = body.encoding_format === 'base64' ? Buffer.from(new Float32Array(vector).buffer).toString('base64') : vector;
    return { object: 'embedding', index, embedding };
  });
  const tokens = inputs.reduce((n, t) => n + words(t), 0);
  sendJson(res, 200, { object: 'list', data, model: body.model, usage: { prompt_tokens: tokens, total_tokens: tokens } });
}

/** Dimensions of a vector when the request names none. */
export const DEFAULT_DIMENSIONS = 64;

/**
 * The vector the server answers for a text: deterministic, so tests can check what came back, and
 * meaningful: each word (lower-cased, letters and digits) adds ±1 on a dimension chosen by its hash,
 * and the sum is scaled to length 1, so the cosine of two texts grows with the words they share
 * (collisions blur it at small sizes). A text with no word gets a vector from its whole hash.
 */
export function expectedVector(text: string, dims = DEFAULT_DIMENSIONS): number[] {
  const sum: number[] = new Array<number>(dims).fill(0);
  const tokens = text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  for (const token of tokens) {
    const h = createHash('sha256').update(token).digest();
    sum[h.readUInt32LE(0) % dims]! += h[4]! & 1 ? 1 : -1;
  }
  // No word, or words that cancel out: never a zero vector (it has no direction to compare).
  if (!sum.some((x) => x !== 0)) {
    const seed = createHash('sha256').update(text).digest();
    for (let i = 0; i < dims; i++) sum[i] = (seed[i % seed.length]! - 127.5) / 128;
  }
  const norm = Math.hypot(...sum);
  return sum.map((x) => x / norm);
}
