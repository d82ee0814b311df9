import { z } from 'zod';
import { paginationQuery } from '../http/pagination';
import { versionNumber } from '../http/ranges';

/**
 * The graph is taken as any JSON object here: its shape is checked by the domain validator, which
 * reports every problem at once as a 422 rather than the first one as a 400.
 */
const graphBody = z.record(z.string(), z.unknown());

export const createWorkflowBody = z
  .object({
    name: z.string().trim().min(1).max(200),
    description: z.string().max(2000).optional(),
    graph: graphBody,
  })
  .strict();

export const replaceDraftBody = z.object({ graph: graphBody }).strict();
export const validateBody = z.object({ graph: graphBody.optional() }).strict().optional();

export const workflowParams = z.object({ id: z.string().min(1).max(100) });
export const versionParams = workflowParams.extend({ version: z.coerce.number().pipe(versionNumber) });
export const listWorkflowsQuery = z.object({ ...paginationQuery, name: z.string().optional() }).strict();
export const listVersionsQuery = z.object(paginationQuery).strict();
