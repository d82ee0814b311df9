import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { gzipSync } from 'node:zlib';

/** A request as the target server saw it. */
export interface SeenRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface HttpTarget {
  port: number;
  /** `http://127.0.0.1:<port><path>` */
  url(path: string): string;
  seen: SeenRequest[];
  /** bytes the streaming routes managed to write before the client went away */
  streamed: number;
  /** answers the requests held at /gate/<id>, and every later one at once */
  release(id: string): void;
  close(): Promise<void>;
}

/**
 * The local server the http-request node is aimed at in tests, on 127.0.0.1 only. Routes:
 *   /echo                 200 JSON of what it received
 *   /status/<n>           status n with a JSON body; `?retryAfter=` sets Retry-After
 *   /flaky/<id>           503 (Retry-After: 0) the first `?fail=` times (default 1) per id, then /echo
 *   /hang                 never answers
 *   /stream?bytes=N       N bytes, chunked (no Content-Length), written as fast as the client reads
 *   /sized?bytes=N        N bytes with Content-Length
 *   /gzip-bomb?bytes=N    N zero bytes, gzip-compressed
 *   /gzip                 a gzip-compressed JSON body
 *   /text, /bad-json      a text body; a body labelled JSON that is not
 *   /redirect?to=&status= a redirect (302 by default) to `to`
 *   /deep?levels=N        JSON arrays nested N levels deep
 *   /gate/<id>            held until `release(id)`, then (and from then on) 200 JSON `{gate: id}`
 */
export async function startHttpTarget(host = '127.0.0.1'): Promise<HttpTarget> {
  const seen: SeenRequest[] = [];
  const failures = new Map<string, number>();
  const sockets = new Set<Socket>();
  const state = { streamed: 0 };
  const gates = new Map<string, ServerResponse[]>();
  const open = new Set<string>();

  const json = (res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(value));
  };

  const handle = (req: IncomingMessage, res: ServerResponse, body: string) => {
    const u = new URL(req.url ?? '/', `http://${host}`);
    const q = Object.fromEntries(u.searchParams);
    const request: SeenRequest = { method: req.method ?? '', path: u.pathname, query: q, headers: req.headers, body };
    seen.push(request);
    const [, route = '', arg = ''] = u.pathname.split('/');
    const bytes = Number(q.bytes ?? 0);
    switch (route) {
      case 'echo':
        return json(res, 200, request);
      case 'status':
        return json(res, Number(arg), { status: Number(arg) }, q.retryAfter ? { 'retry-after': q.retryAfter } : {});
      case 'flaky': {
        const n = failures.get(arg) ?? 0;
        if (n < Number(q.fail ?? 1)) {
          failures.set(arg, n + 1);
          return json(res, 503, { error: 'try again' }, { 'retry-after': '0' });
        }
        return json(res, 200, request);
      }
      case 'hang':
        return; // the socket stays open until the client gives up or the server closes
      case 'stream': {
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        const chunk = Buffer.alloc(64 * 1024, 0x61);
        const pump = () => {
          while (state.streamed < bytes && !res.destroyed) {
            state.streamed += chunk.length;
            if (!res.write(chunk)) return void res.once('drain', pump);
          }
          res.end();
        };
        res.on('close', () => res.removeAllListeners('drain'));
        return pump();
      }
      case 'sized':
        res.writeHead(200, { 'content-type': 'text/plain', 'content-length': String(bytes) });
        return res.end(Buffer.alloc(bytes, 0x62));
      case 'gzip-bomb':
        res.writeHead(200, { 'content-type': 'text/plain', 'content-encoding': 'gzip' });
        return res.end(gzipSync(Buffer.alloc(bytes)));
      case 'gzip':
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-encoding': 'gzip' });
        return res.end(gzipSync(JSON.stringify({ compressed: true, word: 'grüße' })));
      case 'text':
        res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
        return res.end('plain words');
      case 'bad-json':
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end('{not json');
      case 'deep':
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end(`${'['.repeat(Number(q.levels))}1${']'.repeat(Number(q.levels))}`);
      case 'gate':
        if (open.has(arg)) return json(res, 200, { gate: arg });
        gates.set(arg, [...(gates.get(arg) ?? []), res]);
        return;
      case 'redirect':
        res.writeHead(Number(q.status ?? 302), { location: q.to ?? '/echo' });
        return res.end();
      default:
        return json(res, 404, { error: 'no such route' });
    }
  };

  const server: Server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (d: Buffer) => parts.push(d));
    req.on('end', () => handle(req, res, Buffer.concat(parts).toString('utf8')));
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    url: (path) => `http://${host}:${port}${path}`,
    seen,
    get streamed() {
      return state.streamed;
    },
    release(id) {
      open.add(id);
      for (const res of gates.get(id) ?? []) if (!res.destroyed) json(res, 200, { gate: id });
      gates.delete(id);
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** A port on 127.0.0.1 that nothing listens on (it was free a moment ago). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
