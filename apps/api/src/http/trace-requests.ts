import { ROOT_CONTEXT, SpanKind, SpanStatusCode, context, isSpanContextValid, propagation, trace, type Context, type Link, type Tracer } from '@opentelemetry/api';
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
 * everywhere. Everything the request does (StartWorkflow, outgoing calls, log lines' trace_id)
 * happens inside its span.
 */
export function traceRequests(tracer: Tracer, options: CallerTraceOptions = {}): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const { parent, links } = callerTrace(req.headers, options);
    const span = tracer.startSpan(req.method, {
      kind: SpanKind.SERVER,
      attributes: { [ATTR_HTTP_REQUEST_METHOD]: req.method, [ATTR_URL_PATH]: redactText(req.path), 'weft.request_id': req.id },
      links,
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

export interface CallerTraceOptions {
  /** continue the caller's trace (WEFT_TRACE_TRUST_CALLER): only behind a gateway that sets or strips `traceparent` itself */
  trustCaller?: boolean;
}

/**
 * Where a request's span hangs. Callers are tenants: continuing their `traceparent` would let one
 * decide what is recorded (its sampled flag overrides WEFT_TRACE_SAMPLE_RATIO: every request
 * traced, or none, hidden from the operator) and put Weft's spans into a trace id of its choosing,
 * another tenant's included. So by default each request starts a trace of its own and the caller's
 * context is only a link, which a trace viewer follows without it deciding anything. Baggage is never
 * taken from outside either way: it would travel on in every workflow's and activity's headers.
 */
export function callerTrace(headers: Record<string, unknown>, options: CallerTraceOptions = {}): { parent: Context; links: Link[] } {
  const caller = trace.getSpanContext(propagation.extract(ROOT_CONTEXT, headers));
  if (!caller || !isSpanContextValid(caller)) return { parent: ROOT_CONTEXT, links: [] };
  if (options.trustCaller) return { parent: trace.setSpanContext(ROOT_CONTEXT, caller), links: [] };
  return { parent: ROOT_CONTEXT, links: [{ context: caller, attributes: { 'weft.link': 'caller' } }] };
}
