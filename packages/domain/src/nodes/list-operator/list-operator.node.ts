import { z } from 'zod';
import { DEFAULT_HANDLE } from '../../dsl/graph.schema';
import { CONDITION_OPS, UNARY_OPS } from '../shared/condition.schema';
import { defineNodeType } from '../node-type';

/** A dot path into an item (`meta.score`, `tags.0`); absent: the item itself. */
const itemKeySchema = z.string().min(1).max(256).regex(/^[^.]+(\.[^.]+)*$/, { message: 'a key is names separated by dots' });

/** A condition on each item: the item's value at `key` compared with `value` (which may hold references). */
export const itemConditionSchema = z
  .object({ key: itemKeySchema.optional(), op: z.enum(CONDITION_OPS), value: z.unknown().optional() })
  .strict()
  .refine((c) => UNARY_OPS.includes(c.op) || c.value !== undefined, { message: 'this operator needs a "value"', path: ['value'] });

export const listOperatorDataSchema = z
  .object({
    /** a reference to an array */
    items: z.string().min(1),
    /** keeps the items for which all (and) or any (or) of the conditions hold */
    filter: z.object({ logic: z.enum(['and', 'or']).default('and'), conditions: z.array(itemConditionSchema).min(1).max(50) }).strict().optional(),
    /** a stable sort: numbers before strings before booleans before other values; missing and null last */
    sort: z.object({ key: itemKeySchema.optional(), order: z.enum(['asc', 'desc']).default('asc') }).strict().optional(),
    /** items skipped from the start, after filter and sort */
    offset: z.number().int().min(0).default(0),
    /** at most this many items are kept, after offset */
    limit: z.number().int().min(1).optional(),
    /** which item `item` is: 1 the first, -1 the last (of the result) */
    nth: z
      .number()
      .int()
      .refine((n) => n !== 0, { message: 'nth counts from 1 (or from -1 at the end)' })
      .optional(),
  })
  .strict();
export type ListOperatorData = z.infer<typeof listOperatorDataSchema>;
export type ItemCondition = z.infer<typeof itemConditionSchema>;

/** Filters, sorts and slices a list, and picks its first, last or nth item (Dify's list operator). */
export const listOperatorNode = defineNodeType({
  type: 'list-operator',
  version: 1,
  dataSchema: listOperatorDataSchema,
  outputs: () => ['result', 'first', 'last', 'item', 'count'],
  handles: () => [DEFAULT_HANDLE],
  referenceFields: ['items'],
});
