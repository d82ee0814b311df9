import type { Request, Response } from 'express';

export interface Pagination {
  page: number;
  limit: number;
  total: number;
  total_pages: number;
  has_next: boolean;
  has_prev: boolean;
}

export function sendData(req: Request, res: Response, data: unknown, status = 200): void {
  res.status(status).json({ code: 'success', data, meta: { request_id: req.id } });
}

export function sendList(req: Request, res: Response, data: unknown[], page: { page: number; limit: number; total: number }): void {
  const totalPages = Math.max(1, Math.ceil(page.total / page.limit));
  const pagination: Pagination = {
    page: page.page,
    limit: page.limit,
    total: page.total,
    total_pages: totalPages,
    has_next: page.page < totalPages,
    has_prev: page.page > 1,
  };
  res.status(200).json({ code: 'success', data, meta: { request_id: req.id }, pagination });
}
