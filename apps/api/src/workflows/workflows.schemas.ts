import { z } from 'zod';
import { paginationQuery } from '../http/pagination';
import { versionInPath } from '../http/ranges';

/**
 * The graph is taken as any JSON object here: its shape is checked by the domain validator, which
 * reports every problem at once as a 422 rather than the first one as a 400. The document shows it
 * as the WorkflowGraph schema (see openapi/components.ts).
 */
export const graphBody = z.record(z.string(), z.unknown());

/** A small valid graph: the example of the document, and the fuzzer's way in to real workflows. */
export const EXAMPLE_GRAPH = {
  dsl: 'weft/v1',
  inputs: { name: { type: 'string', required: true } },
  nodes: [
    { id: 'start', type: 'start' },
    { id: 'greet', type: 'template', data: { template: 'Hello, {{ start.name }}!' } },
    { id: 'done', type: 'end', data: { outputs: { greeting: '{{ greet.text }}' } } },
  ],
  edges: [
    { source: 'start', target: 'greet' },
    { source: 'greet', target: 'done' },
  ],
};

export const createWorkflowBody = z
  .object({
    name: z.string().trim().min(1).max(200),
    description: z.string().max(2000).optional(),
    graph: graphBody,
  })
  .strict()
  .meta({ examples: [{ name: 'hello', description: 'Greets by name', graph: EXAMPLE_GRAPH }] });

export const replaceDraftBody = z.object({ graph: graphBody }).strict().meta({ examples: [{ graph: EXAMPLE_GRAPH }] });
export const validateBody = z.object({ graph: graphBody.optional() }).strict().optional().meta({ examples: [{ graph: EXAMPLE_GRAPH }] });

export const workflowParams = z.object({ id: z.string().min(1).max(100) });
export const versionParams = workflowParams.extend({ version: versionInPath });
export const listWorkflowsQuery = z.object({ ...paginationQuery, name: z.string().optional() }).strict();
export const listVersionsQuery = z.object(paginationQuery).strict();
