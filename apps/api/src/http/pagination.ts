import { z } from 'zod';

/** (page - 1) * limit stays far below what an OFFSET or Prisma's `skip` takes. */
export const MAX_PAGE = 1_000_000;

export const paginationQuery = {
  page: z.coerce.number().int().min(1).max(MAX_PAGE).default(1),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  sort: z.enum(['created_at', '-created_at']).default('-created_at'),
};

export function pageWindow(q: { page: number; limit: number; sort: string }) {
  return {
    skip: (q.page - 1) * q.limit,
    take: q.limit,
    orderBy: { createdAt: q.sort === 'created_at' ? ('asc' as const) : ('desc' as const) },
  };
}
