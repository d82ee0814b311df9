import type { AddressInfo } from 'node:net';
import { Agent, request, type Server } from 'node:http';
import express from 'express';
import { createLogger } from '@weft/activities';
import { Drain, drainMiddleware, shutDownGracefully } from './drain';

const logger = createLogger({ service: 'test', silent: true });

/** An app with the drain middleware, a readiness route, and a route held until released. */
async function serve() {
  const drain = new Drain();
  const app = express();
  app.use(drainMiddleware(drain));
  app.get('/health/ready', (_req, res) => void res.json({ status: 'ok' }));
  const held: (() => void)[] = [];
  app.get('/held', (_req, res) => void held.push(() => res.json({ done: true })));
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  const agent = new Agent({ keepAlive: true, maxSockets: 4 });
  const get = (path: string, fresh = false) =>
    new Promise<{ status: number; connection?: string; body: string; error?: string }>((resolve) => {
      const req = request({ host: '127.0.0.1', port, path, agent: fresh ? false : agent }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode!, connection: res.headers.connection, body }));
      });
      req.on('error', (err) => resolve({ status: 0, body: '', error: (err as NodeJS.ErrnoException).code ?? err.message }));
      req.end();
    });
  return { drain, server, agent, get, held };
}

describe('graceful shutdown of the API', () => {
  it('answers readiness 503 draining while still accepting, lets a held request finish, and resolves 0', async () => {
    const { drain, server, agent, get, held } = await serve();
    expect(await get('/health/ready')).toMatchObject({ status: 200, connection: 'keep-alive' });
    const inFlight = get('/held');
    while (!held.length) await new Promise((r) => setTimeout(r, 5));
    const calls: string[] = [];
    const done = shutDownGracefully({
      server,
      drain,
      graceMs: 60_000,
      delayMs: 200,
      endStreams: () => calls.push('streams'),
      closeClients: async () => calls.push('clients'),
      logger,
    });
    expect(drain.signal.aborted).toBe(true);
    // Within the delay: still accepting, but not ready, and no connection kept alive.
    expect(await get('/health/ready')).toEqual({ status: 503, connection: 'close', body: JSON.stringify({ status: 'draining' }) });
    // The request in flight since before the signal finishes.
    while (!calls.includes('streams')) await new Promise((r) => setTimeout(r, 5));
    held[0]!();
    expect(await inFlight).toMatchObject({ status: 200, body: JSON.stringify({ done: true }) });
    expect(await done).toBe(0);
    expect(calls).toEqual(['streams', 'clients']);
    // Stopped accepting (a new connection; the kept-alive ones were closed).
    expect((await get('/health/ready', true)).error).toBe('ECONNREFUSED');
    agent.destroy();
  });

  it('cuts what is still open when the grace runs out, and resolves 1', async () => {
    const { drain, server, agent, get, held } = await serve();
    const inFlight = get('/held');
    while (!held.length) await new Promise((r) => setTimeout(r, 5));
    const code = await shutDownGracefully({ server, drain, graceMs: 200, delayMs: 0, endStreams: () => undefined, closeClients: async () => undefined, logger });
    expect(code).toBe(1);
    expect(await inFlight).toMatchObject({ status: 0, error: 'ECONNRESET' });
    agent.destroy();
  });
});
