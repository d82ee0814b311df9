import { FORBIDDEN_KEYS, own } from '../values/json-value';
import { exactReference, type Reference } from './reference';

/** Node outputs keyed by node id, plus `sys` run facts. Plain JSON: it lives in workflow state. */
export type VariablePool = Record<string, Record<string, unknown> | undefined>;

/** Namespaces resolved outside the workflow (inside an activity, at call time). */
const DEFERRED_NAMESPACES = new Set(['secrets']);

/**
 * The value a reference names, reading own properties only: node ids and paths are user text, and
 * `{{ start.constructor }}` or `{{ x.__proto__ }}` must read nothing rather than a prototype's member.
 */
export function lookup(pool: VariablePool, ref: Reference): unknown {
  let current: unknown = own(pool, ref.nodeId);
  if (current === undefined) return undefined;
  for (const segment of ref.path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = own(current as Record<string, unknown>, segment);
  }
  return current;
}

export function renderAsText(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

const ANY_REF = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)((?:\.(?:[A-Za-z_][A-Za-z0-9_]*|\d+))*)\s*\}\}/g;

function resolveString(text: string, pool: VariablePool): unknown {
  const exact = exactReference(text);
  // A value that is not there (a skipped node's output) is null, so it survives JSON as a key.
  if (exact && !DEFERRED_NAMESPACES.has(exact.nodeId)) return lookup(pool, exact) ?? null;
  return text.replace(ANY_REF, (raw, head: string, tail: string) => {
    if (DEFERRED_NAMESPACES.has(head)) return raw;
    return renderAsText(lookup(pool, { raw, nodeId: head, path: tail ? tail.slice(1).split('.') : [] }));
  });
}

/**
 * Resolves every reference inside a JSON-like value against the pool. `{{ secrets.X }}` is left as
 * written: secrets are resolved only inside activities so they never enter workflow history.
 */
export function resolveValue<T = unknown>(value: T, pool: VariablePool): unknown {
  if (typeof value === 'string') return resolveString(value, pool);
  if (Array.isArray(value)) return value.map((v) => resolveValue(v, pool));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    // A `__proto__` key would set the copy's prototype instead of a member: dropped, as the stores do.
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) if (!FORBIDDEN_KEYS.has(k)) out[k] = resolveValue(v, pool);
    return out;
  }
  return value;
}
