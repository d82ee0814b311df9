import { z } from 'zod';
import { RUN_STATUSES } from '@weft/domain';
import { paginationQuery } from '../http/pagination';
import { timestampFilter, versionNumber } from '../http/ranges';

export const startRunBody = z
  .object({
    inputs: z.record(z.string(), z.unknown()).default({}),
    version: z.union([versionNumber, z.literal('draft')]).optional(),
    mode: z.enum(['async', 'blocking']).default('async'),
    timeoutMs: z.number().int().min(100).max(300_000).optional(),
  })
  .strict()
  .default({ inputs: {}, mode: 'async' })
  .meta({ examples: [{ inputs: { name: 'Ada' }, mode: 'async' }] });

export const idempotencyKeyHeader = z.string().trim().min(1).max(255);

export const runParams = z.object({ id: z.string().min(1).max(100) });
export const workflowRunParams = z.object({ id: z.string().min(1).max(100) });

export const listRunsQuery = z
  .object({
    ...paginationQuery,
    workflowId: z.string().optional(),
    /** the children of one run (its sub-workflow nodes' runs) */
    parentRunId: z.string().optional(),
    /** the reruns of one run */
    originRunId: z.string().optional(),
    status: z.enum(RUN_STATUSES).optional(),
    createdAfter: timestampFilter.optional(),
    createdBefore: timestampFilter.optional(),
  })
  .strict();

export const listNodesQuery = z
  .object({ page: paginationQuery.page, limit: z.coerce.number().int().min(1).max(100).default(100) })
  .strict();
