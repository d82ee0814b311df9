import type { ErrorRequestHandler, NextFunction, Request, Response } from 'express';
import { ConflictError, DomainError, NotFoundError, ValidationFailedError } from '@weft/domain';
import type { Logger } from '@weft/activities';
import { DependencyUnavailableError, ForbiddenError, MalformedRequestError, UnauthorizedError } from './http.errors';
import { asDependencyError } from './dependency-errors';

/** The single table from error class to HTTP status. First match wins; order subclasses first. */
const STATUS_BY_CLASS: [abstract new (...args: never[]) => DomainError, number][] = [
  [MalformedRequestError, 400],
  [UnauthorizedError, 401],
  [ForbiddenError, 403],
  [NotFoundError, 404],
  [ConflictError, 409],
  [ValidationFailedError, 422],
  [DependencyUnavailableError, 503],
];

function statusOf(err: DomainError): number {
  return STATUS_BY_CLASS.find(([cls]) => err instanceof cls)?.[1] ?? 500;
}

/** body-parser's own errors (bad JSON, too large, bad charset) carry `type` and `status`. */
function fromBodyParser(err: unknown): MalformedRequestError | undefined {
  const e = err as { type?: string; status?: number; message?: string };
  if (e?.type === 'entity.parse.failed') return new MalformedRequestError('malformed_json', 'The request body is not valid JSON');
  if (e?.type === 'entity.too.large') return new MalformedRequestError('payload_too_large', 'The request body is too large');
  if (typeof e?.type === 'string' && e.status && e.status < 500) return new MalformedRequestError('malformed_request', e.message ?? 'Malformed request');
  return undefined;
}

export function errorMiddleware(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const known = err instanceof DomainError ? err : fromBodyParser(err) ?? asDependencyError(err);
    if (!known) {
      logger.error('unhandled error', { requestId: req.id, err: err instanceof Error ? { message: err.message, stack: err.stack } : String(err) });
      res.status(500).json({ code: 'internal_error', message: 'Something went wrong on our side', request_id: req.id });
      return;
    }
    let status = statusOf(known);
    if (known.code === 'payload_too_large') status = 413;
    if (status >= 500) logger.warn('dependency unavailable', { code: known.code, cause: String((known as Error).cause ?? '') });
    const body: Record<string, unknown> = { code: known.code, message: known.message, request_id: req.id };
    if (known.details !== undefined) body.details = known.details;
    res.status(status).json(body);
  };
}

export function notFoundRoute(req: Request, res: Response): void {
  res.status(404).json({ code: 'route_not_found', message: `No route ${req.method} ${req.path}`, request_id: req.id });
}
