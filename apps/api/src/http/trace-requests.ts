import { ROOT_CONTEXT, SpanKind, SpanStatusCode, context, propagation, trace, type Tracer } from '@opentelemetry/api';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { redactText } from '@weft/activities';

// OpenTelemetry's semantic conventions for HTTP servers (stable names).
const ATTR_HTTP_REQUEST_METHOD = 'http.request.method';
const ATTR_HTTP_RESPONSE_STATUS_CODE = 'http.response.status_code';
const ATTR_HTTP_ROUTE = 'http.route';
const ATTR_URL_PATH = 'url.path';

/**
 * The server span of each request, mounted only when tracing is configured (createApp). A small
 * middleware rather than the http instrumentation: that one patches `http` through require hooks,
 * which depend on load order and do not reach modules loaded by a test runner; this works the same
 * everywhere. The span continues a caller's trace (W3C `traceparent`) and everything the request
 * does (StartWorkflow, outgoing calls, log lines' trace_id) happens inside it.
 */
export function traceRequests(tracer: Tracer): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const parent = propagation.extract(ROOT_CONTEXT, req.headers);
    const span = tracer.startSpan(req.method, {
      kind: SpanKind.SERVER,
      attributes: { [ATTR_HTTP_REQUEST_METHOD]: req.method, [ATTR_URL_PATH]: redactText(req.path), 'weft.request_id': req.id },
    }, parent);
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      // Named by the matched route's template, never the raw path (ids would make every name unique).
      const route = req.route ? `${req.baseUrl}${String(req.route.path)}` : undefined;
      if (route) span.updateName(`${req.method} ${route}`).setAttribute(ATTR_HTTP_ROUTE, route);
      span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, res.statusCode);
      if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      if (!res.writableFinished) span.setAttribute('weft.aborted', true);
      span.end();
    };
    res.once('finish', end);
    res.once('close', end);
    context.with(trace.setSpan(parent, span), next);
  };
}
