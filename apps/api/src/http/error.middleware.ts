import type { ErrorRequestHandler, NextFunction, Request, Response } from 'express';
import { DomainError, describe, httpStatusOf, sanitizeErrorMessage } from '@weft/domain';
import type { Logger } from '@weft/activities';
import { MalformedRequestError, PayloadTooLargeError, UnsupportedMediaTypeError } from './http.errors';
import { asDependencyError } from './dependency-errors';
import type { ErrorBody } from './envelope';

/**
 * Errors of the HTTP layer below our routes: body-parser's (they carry `type` and `status`), zlib's
 * when a body is not in the Content-Encoding it claims, and the router's when a path parameter is
 * not valid percent-encoded UTF-8 (a URIError with status 400).
 */
function fromHttpLayer(err: unknown, req: Request): DomainError | undefined {
  const e = err as { type?: string; status?: number; statusCode?: number; message?: string; encoding?: string; charset?: string };
  switch (e?.type) {
    case 'entity.parse.failed':
      return new MalformedRequestError('malformed_json', describe('malformed_json', {}));
    case 'entity.too.large':
      return new PayloadTooLargeError(describe('payload_too_large', {}));
    case 'encoding.unsupported':
      return new UnsupportedMediaTypeError('request_encoding_unsupported', describe('request_encoding_unsupported', {}), {
        encoding: String(e.encoding ?? req.headers['content-encoding'] ?? '').slice(0, 100),
      });
    case 'charset.unsupported':
      return new UnsupportedMediaTypeError('request_charset_unsupported', describe('request_charset_unsupported', {}));
  }
  const status = e?.status ?? e?.statusCode;
  if (typeof status !== 'number' || status < 400 || status >= 500) return undefined;
  if (err instanceof URIError) {
    return new MalformedRequestError('request_invalid_text', 'A path parameter is not valid percent-encoded UTF-8 (a broken escape or an unpaired surrogate)', { path: ['params'] });
  }
  const encoding = req.headers['content-encoding'];
  if (e.type === undefined && encoding && encoding.toLowerCase() !== 'identity') {
    return new MalformedRequestError('request_encoding_invalid', describe('request_encoding_invalid', { encoding: encoding.slice(0, 20) }));
  }
  return new MalformedRequestError('malformed_request', sanitizeErrorMessage(e.message ?? '', 'The request is malformed'));
}

/** Details are ours, but the messages in them may quote upstream text. */
function publicDetails(details: unknown): unknown {
  if (details === null || typeof details !== 'object' || Array.isArray(details)) return details;
  const out: Record<string, unknown> = { ...(details as Record<string, unknown>) };
  if (typeof out.message === 'string') out.message = sanitizeErrorMessage(out.message);
  if (Array.isArray(out.issues)) {
    out.issues = out.issues.map((issue: unknown) =>
      issue && typeof issue === 'object' && typeof (issue as { message?: unknown }).message === 'string'
        ? { ...issue, message: sanitizeErrorMessage((issue as { message: string }).message, 'Invalid value') }
        : issue,
    );
  }
  return out;
}

export function errorMiddleware(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const known = err instanceof DomainError ? err : fromHttpLayer(err, req) ?? asDependencyError(err);
    if (!known) {
      logger.error('unhandled error', { request_id: req.id, err: err instanceof Error ? { message: err.message, stack: err.stack } : String(err) });
      const body: ErrorBody = { code: 'internal_error', message: `Something went wrong on our side (reference ${req.id})`, request_id: req.id };
      res.status(httpStatusOf('internal_error')).json(body);
      return;
    }
    // The catalogue holds the one table from code to status.
    const status = known.status;
    if (status >= 500) logger.warn('dependency unavailable', { code: known.code, cause: String((known as Error).cause ?? '') });
    const body: ErrorBody = { code: known.code, message: known.message, request_id: req.id };
    if (known.details !== undefined) body.details = publicDetails(known.details) as ErrorBody['details'];
    // An error that knows when trying again can succeed says so (quota_exceeded).
    const { retryAfter } = known as { retryAfter?: unknown };
    if (typeof retryAfter === 'number' && !res.hasHeader('Retry-After')) res.setHeader('Retry-After', String(retryAfter));
    res.status(status).json(body);
  };
}

export function notFoundRoute(req: Request, res: Response): void {
  const body: ErrorBody = { code: 'route_not_found', message: describe('route_not_found', { method: req.method, path: req.path }), request_id: req.id };
  res.status(httpStatusOf('route_not_found')).json(body);
}
