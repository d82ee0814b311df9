import type { RequestHandler, Request, Router } from 'express';
import { z } from 'zod';
import { METRICS_CONTENT_TYPE, UNMATCHED_ROUTE, scrapeAllowed, type ApiMetrics, type Registry } from '@weft/activities';
import { UnauthorizedError } from '../http/http.errors';
import { bindRoutes, defineRoutes, text } from '../http/route';
import { rerunRoutes } from '../runs/rerun.router';
import { runRoutes } from '../runs/runs.router';

export const metricsRoutes = defineRoutes({
  scrape: {
    method: 'get',
    path: '/metrics',
    summary: 'Prometheus metrics of this API process (README "Metrics"); with WEFT_METRICS_TOKEN set, send it as a bearer token',
    responses: { 200: text(z.string(), 'Prometheus text format 0.0.4') },
    errors: [401],
  },
});

/** GET /metrics: the registry's metrics, behind WEFT_METRICS_TOKEN when it is set. */
export function metricsRouter(registry: Registry, token: string | undefined): Router {
  return bindRoutes(metricsRoutes, {
    scrape: async (req, res) => {
      if (!scrapeAllowed(req.headers.authorization, token)) throw new UnauthorizedError('Send the metrics token as "Authorization: Bearer <WEFT_METRICS_TOKEN>"');
      res.setHeader('Content-Type', METRICS_CONTENT_TYPE);
      res.end(await registry.metrics());
    },
  });
}

/**
 * The routes that start a run, by the template the request matched: a 200 or 202 from one of them
 * that is not an idempotent repeat (Idempotent-Replayed) started a workflow.
 */
const RUN_STARTS: Record<string, 'api' | 'rerun'> = {
  [`${runRoutes.start.method.toUpperCase()} ${runRoutes.start.path}`]: 'api',
  [`${rerunRoutes.rerun.method.toUpperCase()} ${rerunRoutes.rerun.path}`]: 'rerun',
};

/** The template of the route that answered (`/v1/runs/:id`), never the URL: ids and junk paths would make a label unbounded. */
function routeOf(req: Request): string {
  const path = (req.route as { path?: unknown } | undefined)?.path;
  return typeof path === 'string' ? `${req.baseUrl}${path}` : UNMATCHED_ROUTE;
}

/** Observes every request once it is answered (or its client went away): the HTTP histogram, and runs started. */
export function recordRequests(metrics: ApiMetrics): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    let observed = false;
    const observe = () => {
      if (observed) return;
      observed = true;
      const route = routeOf(req);
      metrics.httpRequest(req.method, route, res.statusCode, Number(process.hrtime.bigint() - started) / 1e9);
      const trigger = RUN_STARTS[`${req.method} ${route}`];
      if (trigger && (res.statusCode === 200 || res.statusCode === 202) && !res.getHeader('Idempotent-Replayed')) metrics.runStarted(trigger);
    };
    res.once('finish', observe);
    res.once('close', observe);
    next();
  };
}
