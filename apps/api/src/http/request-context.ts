import { randomUUID } from 'node:crypto';
import { trace } from '@opentelemetry/api';
import type { NextFunction, Request, Response } from 'express';
import { annotateLog, logContext } from '@weft/activities';

const INCOMING_ID = /^[A-Za-z0-9._:-]{1,128}$/;

declare module 'express-serve-static-core' {
  interface Request {
    id: string;
  }
}

/** Gives every request an id (kept from X-Request-Id when sane), echoes it, and tags its log lines. */
export function requestContext(req: Request, res: Response, next: NextFunction): void {
  const incoming = req.header('x-request-id');
  req.id = incoming && INCOMING_ID.test(incoming) ? incoming : randomUUID();
  res.setHeader('X-Request-Id', req.id);
  logContext.run({ request_id: req.id }, next);
}

/** Under /v1/runs/:id, log lines carry the run's id (`run_id`) as well, and so does the request's span; mounted at that path. */
export function runLogContext(req: Request, _res: Response, next: NextFunction): void {
  const id = req.params.id;
  if (typeof id === 'string') {
    annotateLog({ run_id: id });
    trace.getActiveSpan()?.setAttribute('weft.run_id', id);
  }
  next();
}
