import { own, resolveValue, type VariablePool } from '@weft/domain';

export interface Condition {
  left: unknown;
  op: string;
  right?: unknown;
}

export interface ConditionCase {
  logic?: 'and' | 'or';
  conditions: Condition[];
}

const asNumber = (v: unknown): number => (typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN);

function equal(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' || typeof b === 'number') {
    const x = asNumber(a);
    const y = asNumber(b);
    if (!Number.isNaN(x) && !Number.isNaN(y)) return x === y;
  }
  if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object') return JSON.stringify(a) === JSON.stringify(b);
  return a === b;
}

function sizeOf(v: unknown): number {
  if (typeof v === 'string' || Array.isArray(v)) return v.length;
  if (v !== null && typeof v === 'object') return Object.keys(v).length;
  return NaN;
}

function isEmpty(v: unknown): boolean {
  return v === undefined || v === null || v === '' || sizeOf(v) === 0;
}

function contains(haystack: unknown, needle: unknown): boolean {
  if (typeof haystack === 'string') return needle !== undefined && needle !== null && haystack.includes(String(needle));
  if (Array.isArray(haystack)) return haystack.some((x) => equal(x, needle));
  // Own keys only: every object "contains" 'constructor' through its prototype.
  if (haystack !== null && typeof haystack === 'object') return typeof needle === 'string' && own(haystack as Record<string, unknown>, needle) !== undefined;
  return false;
}

const compare = (a: unknown, b: unknown, test: (x: number, y: number) => boolean) => {
  const x = asNumber(a);
  const y = asNumber(b);
  return !Number.isNaN(x) && !Number.isNaN(y) && test(x, y);
};

const OPS: Record<string, (l: unknown, r: unknown) => boolean> = {
  eq: equal,
  ne: (l, r) => !equal(l, r),
  gt: (l, r) => compare(l, r, (x, y) => x > y),
  gte: (l, r) => compare(l, r, (x, y) => x >= y),
  lt: (l, r) => compare(l, r, (x, y) => x < y),
  lte: (l, r) => compare(l, r, (x, y) => x <= y),
  contains,
  'not-contains': (l, r) => !contains(l, r),
  'starts-with': (l, r) => typeof l === 'string' && l.startsWith(String(r ?? '')),
  'ends-with': (l, r) => typeof l === 'string' && l.endsWith(String(r ?? '')),
  empty: (l) => isEmpty(l),
  'not-empty': (l) => !isEmpty(l),
  in: (l, r) => contains(r, l),
  'not-in': (l, r) => !contains(r, l),
  'length-eq': (l, r) => sizeOf(l) === asNumber(r),
  'length-gt': (l, r) => sizeOf(l) > asNumber(r),
  'length-lt': (l, r) => sizeOf(l) < asNumber(r),
};

/** Whether `left op right` holds, on values already resolved (the list operator's items). */
export function applyOperator(op: string, left: unknown, right: unknown): boolean {
  const test = own(OPS, op);
  if (!test) throw new Error(`Unknown condition operator '${op}'`);
  return test(left, right);
}

export function evaluateCondition(c: Condition, pool: VariablePool): boolean {
  return applyOperator(c.op, resolveValue(c.left, pool), resolveValue(c.right, pool));
}

/** A case holds when all (and) or any (or) of its conditions hold. */
export function evaluateCase(c: ConditionCase, pool: VariablePool): boolean {
  const results = c.conditions.map((cond) => evaluateCondition(cond, pool));
  return c.logic === 'or' ? results.some(Boolean) : results.every(Boolean);
}
