import { z } from 'zod';
import { DEFAULT_RETRY_INITIAL_INTERVAL, DURATION_BOUNDS, DURATION_PATTERN, describeBound, parseDuration, type DurationBound } from './duration';

export const DSL_VERSION = 'weft/v1';
export const NODE_ID_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Node ids name keys of workflow state and run records; longer ones are refused (`node_id_invalid`). */
export const MAX_NODE_ID_LENGTH = 128;
/** Names the reference syntax uses for things other than nodes (see also reserved-names.ts). */
export const RESERVED_IDS = ['sys', 'env', 'secrets'] as const;

export const durationSchema = z
  .string()
  .regex(DURATION_PATTERN, 'a duration like "500ms", "30s", "5m", "24h" or "7d"');

/** The issue code of a duration outside its bounds (see DURATION_BOUNDS). */
export const DURATION_OUT_OF_RANGE = 'duration_out_of_range';
/** The issue code of a retry policy whose `maxInterval` is below its `initialInterval`. */
export const RETRY_INTERVAL_ORDER = 'retry_interval_order';

function durationMs(text: unknown): number | undefined {
  return typeof text === 'string' && DURATION_PATTERN.test(text.trim()) ? parseDuration(text) : undefined;
}

/**
 * A duration within `bound`. Out of bounds, the issue carries its own code in `params.code`
 * (duration_out_of_range), which the validator reports instead of the generic one.
 */
export function boundedDurationSchema(bound: DurationBound) {
  return durationSchema.superRefine((text, ctx) => {
    const ms = durationMs(text);
    if (ms === undefined || (ms >= bound.min && ms <= bound.max)) return;
    ctx.addIssue({ code: 'custom', message: `must be ${describeBound(bound)} (got "${text.length > 40 ? `${text.slice(0, 40)}…` : text}")`, params: { code: DURATION_OUT_OF_RANGE } });
  });
}

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

const retryIntervalSchema = boundedDurationSchema(DURATION_BOUNDS.retryInterval);

/**
 * The bounds of a node's `timeout` (DURATION_BOUNDS.nodeTimeout unless its type says otherwise) and
 * `retry` intervals. The document's shape (`nodeSchema`) only checks their syntax, so that a bound
 * broken is reported with every other issue of the graph instead of making the whole document
 * malformed; the validator checks these after the shape.
 */
export const nodePolicyBoundsSchema = (timeout: DurationBound = DURATION_BOUNDS.nodeTimeout) => z.object({
  timeout: boundedDurationSchema(timeout).optional(),
  retry: z
    .object({ initialInterval: retryIntervalSchema.optional(), maxInterval: retryIntervalSchema.optional() })
    .superRefine((r, ctx) => {
      const initial = durationMs(r.initialInterval ?? DEFAULT_RETRY_INITIAL_INTERVAL);
      const max = durationMs(r.maxInterval);
      // Only two intervals each within bounds are compared: one out of bounds is reported already.
      const { min: low, max: high } = DURATION_BOUNDS.retryInterval;
      if (initial === undefined || max === undefined || max >= initial || [initial, max].some((ms) => ms < low || ms > high)) return;
      ctx.addIssue({
        code: 'custom',
        message: `maxInterval (${r.maxInterval}) must not be below initialInterval (${r.initialInterval ?? `${DEFAULT_RETRY_INITIAL_INTERVAL} by default`})`,
        path: ['maxInterval'],
        params: { code: RETRY_INTERVAL_ORDER },
      });
    })
    .optional(),
});

export const onErrorSchema = z.enum(['fail', 'default', 'branch']);

/**
 * A node as the document carries it. `data` is checked afterwards by the schema of the node's type,
 * so that an unknown type or bad data is reported as an issue on that node, with every other issue.
 */
export const nodeSchema = z
  .object({
    id: z.string(),
    type: z.string(),
    /** the version of the type the node was written for (NodeTypeDefinition.version); stamped when published */
    version: z.number().int().min(1).max(1_000_000).optional(),
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
