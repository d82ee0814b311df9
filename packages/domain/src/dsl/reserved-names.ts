import { RESERVED_IDS } from './graph.schema';

/**
 * Names every plain JavaScript object already answers to (`constructor`, `toString`, `__proto__`,
 * …). A node id, input name or output name equal to one of them becomes a key of workflow state,
 * where any lookup that is not own-property-only finds the prototype's member instead of the
 * user's value: the run wedges. Computed from the running engine, so a name a future engine adds
 * to Object.prototype is reserved too.
 */
export const OBJECT_PROTOTYPE_NAMES: ReadonlySet<string> = new Set([...Object.getOwnPropertyNames(Object.prototype), '__proto__']);

export function isPrototypeName(name: string): boolean {
  return OBJECT_PROTOTYPE_NAMES.has(name);
}

/** A node id that cannot be used: a namespace of the reference syntax or a prototype member. */
export function isReservedNodeId(id: string): boolean {
  return (RESERVED_IDS as readonly string[]).includes(id) || OBJECT_PROTOTYPE_NAMES.has(id);
}
