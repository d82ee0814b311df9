import { z } from 'zod';
import { DURATION_PATTERN } from './duration';

export const DSL_VERSION = 'weft/v1';
export const NODE_ID_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Names the reference syntax uses for things other than nodes. */
export const RESERVED_IDS = ['sys', 'env', 'secrets'] as const;

export const durationSchema = z
  .string()
  .regex(DURATION_PATTERN, 'a duration like "500ms", "30s", "5m", "24h" or "7d"');

export const inputTypeSchema = z.enum(['string', 'number', 'boolean', 'object', 'array']);

export const inputDeclarationSchema = z
  .object({
    type: inputTypeSchema,
    required: z.boolean().optional(),
    default: z.unknown().optional(),
    description: z.string().optional(),
  })
  .strict();

export const retryPolicySchema = z
  .object({
    maxAttempts: z.number().int().min(1).max(100),
    initialInterval: durationSchema.optional(),
    backoffCoefficient: z.number().min(1).max(100).optional(),
    maxInterval: durationSchema.optional(),
  })
  .strict();

export const onErrorSchema = z.enum(['fail', 'default', 'branch']);

/**
 * A node as the document carries it. `data` is checked afterwards by the schema of the node's type,
 * so that an unknown type or bad data is reported as an issue on that node, with every other issue.
 */
export const nodeSchema = z
  .object({
    id: z.string(),
    type: z.string(),
    title: z.string().optional(),
    data: z.unknown().optional(),
    retry: retryPolicySchema.optional(),
    timeout: durationSchema.optional(),
    onError: onErrorSchema.optional(),
    default: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

export const edgeSchema = z
  .object({
    id: z.string().optional(),
    source: z.string(),
    target: z.string(),
    sourceHandle: z.string().optional(),
  })
  .strict();

export const graphSchema = z
  .object({
    dsl: z.literal(DSL_VERSION),
    inputs: z.record(z.string(), inputDeclarationSchema).optional(),
    nodes: z.array(nodeSchema),
    edges: z.array(edgeSchema),
  })
  .strict();

export type InputDeclaration = z.infer<typeof inputDeclarationSchema>;
export type RetryPolicy = z.infer<typeof retryPolicySchema>;
export type OnError = z.infer<typeof onErrorSchema>;
export type GraphNode = z.infer<typeof nodeSchema>;
export type GraphEdge = z.infer<typeof edgeSchema>;
export type Graph = z.infer<typeof graphSchema>;

/** The handle an edge leaves its source by when it names none. */
export const DEFAULT_HANDLE = 'source';
export const ERROR_HANDLE = 'error';

export function edgeId(edge: GraphEdge, index: number): string {
  return edge.id ?? `edges[${index}]`;
}
