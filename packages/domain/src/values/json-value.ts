/**
 * Hygiene of JSON-like values that cross a trust boundary: request bodies at the API, node outputs
 * entering workflow state, values written to PostgreSQL. Every walk here is iterative and stops as
 * soon as a limit is passed, so a hostile value costs no more than the limit it breaks, and no
 * nesting depth can overflow the stack.
 */

export type ValueProblemCode = 'value_too_deep' | 'value_too_large' | 'value_string_unstorable' | 'value_key_forbidden';

export interface ValueProblem {
  code: ValueProblemCode;
  message: string;
  path: (string | number)[];
}

export interface ValueLimits {
  /** nesting levels of objects and arrays; a scalar is depth 0, `{}` or `[]` is depth 1 */
  maxDepth: number;
  /** approximate bytes of the value's JSON (UTF-8) */
  maxBytes?: number;
  /** refuse strings PostgreSQL cannot store (U+0000, unpaired surrogates) instead of measuring them */
  refuseUnstorable?: boolean;
}

export interface ValueMeasure {
  depth: number;
  bytes: number;
  problem?: ValueProblem;
}

/**
 * U+0000 and UTF-16 surrogates without their pair: PostgreSQL refuses both (in `text` and in
 * `jsonb`), so no such string may reach it.
 */
// eslint-disable-next-line no-control-regex -- U+0000 is exactly what this looks for
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const UNSTORABLE_ALL = new RegExp(UNSTORABLE.source, 'g');

/** Keys that would change an object's prototype when assigned; never accepted from outside. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__']);

export function hasUnstorableChars(text: string): boolean {
  return UNSTORABLE.test(text);
}

/** The text with every character PostgreSQL cannot store replaced by U+FFFD. */
export function toStorableString(text: string): string {
  return UNSTORABLE.test(text) ? text.replace(UNSTORABLE_ALL, '\ufffd') : text;
}

/** UTF-8 bytes of a string's JSON form, without its quotes' escapes (close enough for limits). */
export function utf8Length(text: string): number {
  let bytes = text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x80) bytes += c >= 0x800 && (c < 0xd800 || c > 0xdfff) ? 2 : 1;
  }
  return bytes;
}

function scalarBytes(value: unknown): number {
  if (typeof value === 'string') return utf8Length(value) + 2;
  if (typeof value === 'number') return Number.isFinite(value) ? String(value).length : 4;
  if (typeof value === 'boolean') return value ? 4 : 5;
  return 4; // null, and what JSON turns into null
}

function describe(path: (string | number)[]): string {
  if (!path.length) return '(the value)';
  const shown = path.length > 12 ? [...path.slice(0, 6), '…', ...path.slice(-3)] : path;
  return shown.map((p) => (typeof p === 'number' ? `[${p}]` : p === '…' ? '…' : `.${p.length > 40 ? `${p.slice(0, 40)}…` : p}`)).join('').replace(/^\./, '');
}

/** Where a walk is: a chain back to the root, turned into a path only when a problem is reported. */
interface Trail {
  parent?: Trail;
  key?: string | number;
}

function pathOf(trail: Trail | undefined): (string | number)[] {
  const path: (string | number)[] = [];
  for (let t = trail; t && t.key !== undefined; t = t.parent) path.push(t.key);
  return path.reverse();
}

/**
 * Measures a value without recursion: its nesting depth and the approximate size of its JSON, and
 * the first problem against the limits. The walk stops at the first problem.
 */
export function measureValue(value: unknown, limits: ValueLimits): ValueMeasure {
  const maxBytes = limits.maxBytes ?? Infinity;
  let bytes = 0;
  let deepest = 0;
  const stack: [unknown, number, Trail][] = [[value, 0, {}]];
  const fail = (code: ValueProblemCode, trail: Trail, message: (at: string) => string): ValueMeasure => {
    const path = pathOf(trail);
    return { depth: deepest, bytes, problem: { code, message: message(describe(path)), path } };
  };
  while (stack.length) {
    const [v, depth, trail] = stack.pop()!;
    if (typeof v === 'string') {
      if (limits.refuseUnstorable && UNSTORABLE.test(v)) {
        return fail('value_string_unstorable', trail, (at) => `The text at ${at} contains a character that cannot be stored (U+0000 or an unpaired surrogate)`);
      }
      bytes += scalarBytes(v);
    } else if (v !== null && typeof v === 'object') {
      const level = depth + 1;
      if (level > deepest) deepest = level;
      if (level > limits.maxDepth) return fail('value_too_deep', trail, (at) => `The value is nested more than ${limits.maxDepth} levels deep (at ${at})`);
      if (Array.isArray(v)) {
        bytes += 2 + Math.max(0, v.length - 1);
        for (let i = v.length - 1; i >= 0; i--) stack.push([v[i], level, { parent: trail, key: i }]);
      } else {
        const keys = Object.keys(v);
        bytes += 2 + Math.max(0, keys.length - 1);
        for (let i = keys.length - 1; i >= 0; i--) {
          const k = keys[i]!;
          const at: Trail = { parent: trail, key: k };
          if (FORBIDDEN_KEYS.has(k)) return fail('value_key_forbidden', at, (p) => `The key "${k}" is not allowed (at ${p})`);
          if (limits.refuseUnstorable && UNSTORABLE.test(k)) {
            return fail('value_string_unstorable', at, (p) => `A key at ${p} contains a character that cannot be stored (U+0000 or an unpaired surrogate)`);
          }
          bytes += utf8Length(k) + 3;
          stack.push([(v as Record<string, unknown>)[k], level, at]);
        }
      }
    } else {
      bytes += scalarBytes(v);
    }
    if (bytes > maxBytes) return fail('value_too_large', trail, () => `The value is larger than ${maxBytes} bytes of JSON`);
  }
  return { depth: deepest, bytes };
}

/** What a subtree deeper than a store's nesting limit is replaced with. */
export const TOO_DEEP_MARKER = '[value nested too deep to store]';

/**
 * A copy of the value in which every string and key PostgreSQL cannot store has U+FFFD in place of
 * the offending characters, and (with `maxDepth`) every subtree nested deeper than that is replaced
 * by TOO_DEEP_MARKER; the value itself when there is nothing to change. Keys that would set a
 * prototype are dropped. Iterative, so depth cannot overflow the stack.
 */
export function toStorableValue<T>(value: T, options: { maxDepth?: number } = {}): T {
  const maxDepth = options.maxDepth ?? Infinity;
  if (!needsRepair(value, maxDepth)) return value;
  const root: { v: unknown } = { v: undefined };
  const stack: [unknown, Record<string | number, unknown>, string | number, number][] = [[value, root as Record<string, unknown>, 'v', 0]];
  while (stack.length) {
    const [v, target, slot, depth] = stack.pop()!;
    if (typeof v === 'string') {
      target[slot] = toStorableString(v);
    } else if (v !== null && typeof v === 'object' && depth + 1 > maxDepth) {
      target[slot] = TOO_DEEP_MARKER;
    } else if (Array.isArray(v)) {
      const out: unknown[] = new Array(v.length);
      target[slot] = out;
      for (let i = v.length - 1; i >= 0; i--) stack.push([v[i], out as unknown as Record<number, unknown>, i, depth + 1]);
    } else if (v !== null && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      target[slot] = out;
      const keys = Object.keys(v).filter((k) => !FORBIDDEN_KEYS.has(k));
      // Slots are made in key order first, so the copy keeps the original's key order.
      for (const k of keys) out[toStorableString(k)] = null;
      for (let i = keys.length - 1; i >= 0; i--) stack.push([(v as Record<string, unknown>)[keys[i]!], out, toStorableString(keys[i]!), depth + 1]);
    } else {
      target[slot] = v;
    }
  }
  return root.v as T;
}

function needsRepair(value: unknown, maxDepth: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (typeof v === 'string') {
      if (UNSTORABLE.test(v)) return true;
    } else if (v !== null && typeof v === 'object') {
      if (depth + 1 > maxDepth) return true;
      if (Array.isArray(v)) {
        for (const x of v) stack.push([x, depth + 1]);
      } else {
        for (const k of Object.keys(v)) {
          if (FORBIDDEN_KEYS.has(k) || UNSTORABLE.test(k)) return true;
          stack.push([(v as Record<string, unknown>)[k], depth + 1]);
        }
      }
    }
  }
  return false;
}

/**
 * Sets the value at a path of objects and arrays (as walkStrings reports paths). A path that no
 * longer leads anywhere is left alone: the value is not set rather than a structure made up.
 */
export function setAtPath(target: unknown, path: readonly (string | number)[], value: unknown): void {
  if (!path.length) return;
  let at = target as Record<string | number, unknown> | null;
  for (const key of path.slice(0, -1)) {
    const next = at?.[key];
    if (next === null || typeof next !== 'object') return;
    at = next as Record<string | number, unknown>;
  }
  if (at !== null && typeof at === 'object') at[path[path.length - 1]!] = value;
}

/** Own-property lookup in a dictionary keyed by user-chosen names: never reaches the prototype. */
export function own<V>(record: Readonly<Record<string, V>> | undefined, key: string): V | undefined {
  return record !== undefined && Object.prototype.hasOwnProperty.call(record, key) ? record[key] : undefined;
}
