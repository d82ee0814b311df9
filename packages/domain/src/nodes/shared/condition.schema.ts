import { z } from 'zod';

export const CONDITION_OPS = [
  'eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'contains', 'not-contains', 'starts-with', 'ends-with',
  'empty', 'not-empty', 'in', 'not-in', 'length-eq', 'length-gt', 'length-lt',
] as const;

/** Operators that look only at the left side. */
export const UNARY_OPS: readonly string[] = ['empty', 'not-empty'];

export const conditionSchema = z
  .object({ left: z.unknown(), op: z.enum(CONDITION_OPS), right: z.unknown().optional() })
  .strict()
  .refine((c) => UNARY_OPS.includes(c.op) || c.right !== undefined, { message: 'this operator needs a "right" value', path: ['right'] });

/** A case of an if-else node, also a loop's `breakWhen`. */
export const conditionCaseSchema = z
  .object({
    id: z.string().regex(/^[A-Za-z_][A-Za-z0-9_-]*$/).optional(),
    logic: z.enum(['and', 'or']).default('and'),
    conditions: z.array(conditionSchema).min(1),
  })
  .strict();

export type Condition = z.infer<typeof conditionSchema>;
export type ConditionCase = z.infer<typeof conditionCaseSchema>;
