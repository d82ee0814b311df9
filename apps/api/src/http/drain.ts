import type { Server } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import { z } from 'zod';
import type { Logger } from '@weft/activities';

/** What /health/ready answers (503) once the process is shutting down. */
export const drainingReportSchema = z.object({ status: z.literal('draining') });

/**
 * The API process's drain state (docs/deployment.md "Rolling deploys"). Started by SIGTERM: from
 * then on /health/ready answers 503 `draining` (a load balancer stops routing here), responses
 * close their connection instead of keeping it alive, and `signal` is aborted, so blocking run
 * requests stop waiting and answer 202 with Location.
 */
export class Drain {
  private readonly controller = new AbortController();

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get draining(): boolean {
    return this.controller.signal.aborted;
  }

  start(): void {
    if (!this.draining) this.controller.abort(new Error('draining'));
  }
}

/** Mounted first: while draining, no connection is kept alive and readiness says so. */
export function drainMiddleware(drain: Drain) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (!drain.draining) return next();
    res.setHeader('Connection', 'close');
    if (req.method === 'GET' && req.path === '/health/ready') {
      res.status(503).json({ status: 'draining' } satisfies z.infer<typeof drainingReportSchema>);
      return;
    }
    next();
  };
}

export interface GracefulShutdownOptions {
  server: Server;
  drain: Drain;
  /** the whole time from the signal to exit */
  graceMs: number;
  /** how long connections are still accepted (readiness 503) before the listener closes */
  delayMs: number;
  /** ends the live event streams, with a reconnect hint */
  endStreams: () => void;
  /** closes the app's clients (database, Redis, Temporal, Milvus) */
  closeClients: () => Promise<unknown>;
  logger: Logger;
}

const IDLE_SWEEP_MS = 100;

/**
 * Drains the API and resolves with the exit code: 0 when every request finished within the
 * grace, 1 when the grace ran out and the connections still open were cut.
 */
export async function shutDownGracefully(o: GracefulShutdownOptions): Promise<number> {
  const started = Date.now();
  o.drain.start();
  const delay = Math.min(o.delayMs, o.graceMs);
  if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
  const closed = new Promise<void>((resolve) => o.server.close(() => resolve()));
  o.endStreams();
  // Connections become idle as their last response ends (a keep-alive client, an ended stream):
  // close them as they do, or server.close() would wait for the client to hang up.
  const sweep = setInterval(() => o.server.closeIdleConnections(), IDLE_SWEEP_MS);
  o.server.closeIdleConnections();
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), Math.max(0, o.graceMs - (Date.now() - started)))));
  const cut = await Promise.race([closed.then(() => false), timedOut]);
  clearInterval(sweep);
  clearTimeout(timer);
  if (cut) {
    o.logger.warn('shutdown grace ran out: cutting the connections still open', { graceMs: o.graceMs });
    o.server.closeAllConnections();
  }
  await o.closeClients();
  o.logger.info('api stopped', { ms: Date.now() - started, clean: !cut });
  return cut ? 1 : 0;
}
