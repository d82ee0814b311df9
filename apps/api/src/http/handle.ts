import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { type z } from 'zod';
import { MalformedRequestError } from './http.errors';
import { checkRequestInput } from './input-hygiene';

export type Schemas = { body?: z.ZodType; query?: z.ZodType; params?: z.ZodType };
export type Parsed<S extends Schemas> = {
  body: S['body'] extends z.ZodType ? z.infer<S['body']> : undefined;
  query: S['query'] extends z.ZodType ? z.infer<S['query']> : undefined;
  params: S['params'] extends z.ZodType ? z.infer<S['params']> : undefined;
};

function parsePart(part: 'body' | 'query' | 'params', schema: z.ZodType | undefined, value: unknown): unknown {
  if (!schema) return undefined;
  const result = schema.safeParse(value ?? (part === 'body' ? undefined : {}));
  if (result.success) return result.data;
  throw new MalformedRequestError('malformed_request', `The request ${part} is not valid`, {
    issues: result.error.issues.map((i) => ({ code: i.code, message: i.message, path: [part, ...i.path] })),
  });
}

/**
 * A route handler with its request validation: the zod schemas and the handler are one value, so
 * they cannot drift apart. The handler receives the parsed (typed) body, query and params. Every
 * route goes through here, so this is where input hygiene runs, before anything walks the input.
 */
export function handle<S extends Schemas>(
  schemas: S,
  fn: (req: Request, res: Response, input: Parsed<S>) => Promise<void> | void,
  options: { multipart?: boolean } = {},
): RequestHandler {
  const handler = async (req: Request, res: Response, next: NextFunction) => {
    try {
      checkRequestInput(req);
      // A multipart body is a stream the handler reads itself (a file upload): nothing to parse here.
      const streamed = options.multipart === true && typeof req.is('multipart/form-data') === 'string';
      const input = {
        body: streamed ? undefined : parsePart('body', schemas.body, req.body),
        query: parsePart('query', schemas.query, req.query),
        params: parsePart('params', schemas.params, req.params),
      } as Parsed<S>;
      await fn(req, res, input);
    } catch (err) {
      next(err);
    }
  };
  return Object.assign(handler, { schemas });
}
