import { z } from 'zod';
import { edgeSchema, nodeSchema } from '../dsl/graph.schema';
import { own } from '../values/json-value';

/**
 * The inner graph of an iteration or loop: its own start and end, checked by the validator with
 * the same rules as the top-level graph. Node ids are unique across the whole document.
 */
export const innerGraphSchema = z.object({ nodes: z.array(nodeSchema), edges: z.array(edgeSchema) }).strict();
export type InnerGraph = z.infer<typeof innerGraphSchema>;

/** Data fields of a container that hold its inner graph or are read in the inner graph's scope. */
export const INNER_SCOPE_FIELDS: Readonly<Record<string, readonly string[]>> = {
  iteration: ['output'],
  loop: ['breakWhen'],
};

/** Names a container adds to its inner scope under its own id (`{{ it.item }}`, `{{ lp.index }}`). */
export function containerLocals(type: string, data: unknown): readonly string[] | undefined {
  if (type === 'iteration') return ['item', 'index'];
  if (type === 'loop') {
    const vars = (data as { variables?: Record<string, unknown> } | undefined)?.variables ?? {};
    return [...Object.keys(vars), 'index'];
  }
  return undefined;
}

/** The data fields of a container type read in its inner scope; none for other types (own lookup: `type` is user text). */
export function innerScopeFields(type: string): readonly string[] {
  return own(INNER_SCOPE_FIELDS, type) ?? [];
}
