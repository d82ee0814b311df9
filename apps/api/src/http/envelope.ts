import type { Request, Response } from 'express';
import { z } from 'zod';

export const metaSchema = z.object({ request_id: z.string() });

export const paginationSchema = z.object({
  page: z.number().int().min(1),
  limit: z.number().int().min(1),
  total: z.number().int().min(0),
  total_pages: z.number().int().min(1),
  has_next: z.boolean(),
  has_prev: z.boolean(),
});

export type Pagination = z.infer<typeof paginationSchema>;

/** The body of every error response (error.middleware.ts). */
export const errorBodySchema = z.object({
  code: z.string().meta({ description: 'stable machine code' }),
  message: z.string(),
  details: z
    .object({
      issues: z
        .array(
          z
            .object({ code: z.string(), message: z.string(), nodeId: z.string().optional(), edgeId: z.string().optional(), path: z.array(z.union([z.string(), z.number()])).optional() })
            .catchall(z.unknown()),
        )
        .optional()
        .meta({ description: 'every problem found (422, and 400 for a body that does not fit the schema)' }),
      path: z.array(z.union([z.string(), z.number()])).optional().meta({ description: 'where in the request the problem is (400)' }),
    })
    .catchall(z.unknown())
    .optional(),
  request_id: z.string(),
});

export type ErrorBody = z.infer<typeof errorBodySchema>;

export function sendData(req: Request, res: Response, data: unknown, status = 200): void {
  res.status(status).json({ code: 'success', data, meta: { request_id: req.id } });
}

/** The pagination block of a page of `total` items. */
export function paginationOf(page: { page: number; limit: number; total: number }): Pagination {
  const totalPages = Math.max(1, Math.ceil(page.total / page.limit));
  return {
    page: page.page,
    limit: page.limit,
    total: page.total,
    total_pages: totalPages,
    has_next: page.page < totalPages,
    has_prev: page.page > 1,
  };
}

export function sendList(req: Request, res: Response, data: unknown[], page: { page: number; limit: number; total: number }): void {
  res.status(200).json({ code: 'success', data, meta: { request_id: req.id }, pagination: paginationOf(page) });
}
