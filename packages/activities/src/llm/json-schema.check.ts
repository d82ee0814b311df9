import { Validator, format as formats, type OutputUnit, type Schema } from '@cfworker/json-schema';
import { RE2JS } from 're2js';

/**
 * Response schemas of `llm` nodes, checked with @cfworker/json-schema (an interpreting validator:
 * it walks the schema, it never turns a schema into code) inside bounds of Weft's own, because
 * the schemas are written by tenants and the values by a model a tenant prompts:
 * - a schema is at most MAX_SCHEMA_NODES JSON values, nested at most MAX_DEPTH deep, with local
 *   `#…` references only, none of which leads back to itself without going into the value;
 * - `pattern` is matched with re2js (linear time) instead of the library's backtracking RegExp,
 *   so a catastrophic pattern costs no more than a plain one; `patternProperties` is refused;
 * - one validation reads the schema at most MAX_SCHEMA_READS times (the library reads a
 *   subschema's keywords each time it applies it, so this counts its work): a schema whose
 *   combinators multiply the work stops there;
 * - the value is nested at most MAX_DEPTH deep.
 */

export interface SchemaIssue {
  /** where in the value (or the schema): `$`, `$.items[2].name` */
  path: string;
  message: string;
}

const DRAFT = '2020-12';
const MAX_ISSUES = 20;
export const MAX_DEPTH = 64;
export const MAX_SCHEMA_NODES = 5_000;
export const MAX_PATTERN_LENGTH = 1_000;
export const MAX_SCHEMA_READS = 2_000_000;
const TYPES = new Set(['string', 'number', 'integer', 'boolean', 'object', 'array', 'null']);
/** Keywords whose value is one subschema, a list of them, or a map of them (draft 2020-12). */
const ONE = ['additionalProperties', 'unevaluatedProperties', 'items', 'additionalItems', 'unevaluatedItems', 'contains', 'propertyNames', 'not', 'if', 'then', 'else'];
const LIST = ['allOf', 'anyOf', 'oneOf', 'prefixItems'];
const MAP = ['properties', '$defs', 'definitions', 'dependentSchemas'];
/** Subschemas applied to the same value as their parent: a cycle through these alone never ends. */
const IN_PLACE = new Set(['allOf', 'anyOf', 'oneOf', 'not', 'if', 'then', 'else', 'dependentSchemas']);
const UNSUPPORTED = ['patternProperties', '$dynamicRef', '$recursiveRef', '$dynamicAnchor', '$recursiveAnchor', '$anchor', 'dependencies'];
const PATTERN_FORMAT = 'weft:pattern:';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const childPath = (path: string, key: string | number) =>
  typeof key === 'number' ? `${path}[${key}]` : /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;

/** A subschema found by the walk: where it is (a JSON pointer and a readable path) and its in-place references. */
interface Found {
  schema: Json;
  path: string;
  inPlace: string[];
}

function patternProblem(pattern: unknown): string | undefined {
  if (typeof pattern !== 'string') return 'a pattern is a string';
  if (pattern.length > MAX_PATTERN_LENGTH) return `a pattern is at most ${MAX_PATTERN_LENGTH} characters`;
  try {
    new RegExp(pattern, 'u');
  } catch {
    return `invalid regular expression ${JSON.stringify(pattern)}`;
  }
  try {
    RE2JS.compile(pattern);
  } catch {
    return `the regular expression ${JSON.stringify(pattern)} uses a feature outside linear-time matching (a look-around or a back-reference)`;
  }
  return undefined;
}

/**
 * Walks a schema within the caps, iteratively, collecting its problems and its subschemas by
 * JSON pointer (what local `$ref`s name).
 */
function survey(schema: unknown): { issues: SchemaIssue[]; found: Map<string, Found> } {
  const issues: SchemaIssue[] = [];
  const found = new Map<string, Found>();
  let nodes = 0;
  const stack: { value: unknown; pointer: string; path: string; depth: number; isSchema: boolean; parent?: Found; inPlace: boolean }[] = [
    { value: schema, pointer: '#', path: '$', depth: 0, isSchema: true, inPlace: false },
  ];
  const push = (issue: SchemaIssue) => issues.length < MAX_ISSUES && issues.push(issue);
  while (stack.length && issues.length < MAX_ISSUES) {
    const { value, pointer, path, depth, isSchema, parent, inPlace } = stack.pop()!;
    if (++nodes > MAX_SCHEMA_NODES) {
      push({ path: '$', message: `the schema has more than ${MAX_SCHEMA_NODES} parts` });
      break;
    }
    if (depth > MAX_DEPTH) {
      push({ path, message: `nested deeper than ${MAX_DEPTH} levels` });
      continue;
    }
    if (!isSchema) {
      // Keyword values (enum lists, const values): only counted and measured.
      if (Array.isArray(value)) value.forEach((v, i) => stack.push({ value: v, pointer, path: childPath(path, i), depth: depth + 1, isSchema: false, inPlace }));
      else if (isObject(value)) for (const [k, v] of Object.entries(value)) stack.push({ value: v, pointer, path: childPath(path, k), depth: depth + 1, isSchema: false, inPlace });
      continue;
    }
    if (typeof value === 'boolean') continue;
    if (!isObject(value)) {
      push({ path, message: 'a schema is an object or a boolean' });
      continue;
    }
    const here: Found = { schema: value, path, inPlace: [] };
    found.set(pointer, here);
    if (parent && inPlace) parent.inPlace.push(pointer);
    const types = value.type === undefined ? [] : Array.isArray(value.type) ? value.type : [value.type];
    for (const t of types) if (typeof t !== 'string' || !TYPES.has(t)) push({ path: `${path}.type`, message: `unknown type ${JSON.stringify(t)}` });
    if (value.required !== undefined && !(Array.isArray(value.required) && value.required.every((r) => typeof r === 'string'))) {
      push({ path: `${path}.required`, message: 'required is a list of property names' });
    }
    if (value.enum !== undefined && !Array.isArray(value.enum)) push({ path: `${path}.enum`, message: 'enum is a list' });
    if (value.pattern !== undefined) {
      const problem = patternProblem(value.pattern);
      if (problem) push({ path: `${path}.pattern`, message: problem });
    }
    for (const k of UNSUPPORTED) if (value[k] !== undefined) push({ path: `${path}.${k}`, message: `${k} is not supported` });
    if (value.$ref !== undefined) {
      if (typeof value.$ref !== 'string' || !(value.$ref === '#' || value.$ref.startsWith('#/'))) {
        push({ path: `${path}.$ref`, message: 'only references within the schema (#/…) are supported' });
      } else here.inPlace.push(normalPointer(value.$ref));
    }
    const next = (v: unknown, key: string, p: string, keyword: string, isSub: boolean) =>
      stack.push({ value: v, pointer: `${pointer}/${escapePointer(key)}`, path: p, depth: depth + 1, isSchema: isSub, parent: here, inPlace: IN_PLACE.has(keyword) });
    for (const [k, v] of Object.entries(value)) {
      if (ONE.includes(k)) next(v, k, `${path}.${k}`, k, true);
      else if (LIST.includes(k)) {
        if (!Array.isArray(v) || !v.length) push({ path: `${path}.${k}`, message: `${k} is a non-empty list of schemas` });
        else
          v.forEach((sub, i) =>
            stack.push({ value: sub, pointer: `${pointer}/${k}/${i}`, path: `${path}.${k}[${i}]`, depth: depth + 2, isSchema: true, parent: here, inPlace: IN_PLACE.has(k) }),
          );
      } else if (MAP.includes(k)) {
        if (!isObject(v)) push({ path: `${path}.${k}`, message: `${k} is an object of schemas` });
        else
          for (const [name, sub] of Object.entries(v)) {
            stack.push({ value: sub, pointer: `${pointer}/${k}/${escapePointer(name)}`, path: childPath(`${path}.${k}`, name), depth: depth + 2, isSchema: true, parent: here, inPlace: IN_PLACE.has(k) });
          }
      } else if (typeof v === 'object' && v !== null) next(v, k, `${path}.${k}`, k, false);
    }
  }
  return { issues, found };
}

const escapePointer = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1');
/** `#/a%20b` and `#/a b` name the same subschema; the walk keys subschemas unencoded. */
function normalPointer(ref: string): string {
  try {
    return decodeURIComponent(ref);
  } catch {
    return ref;
  }
}

/** A `$ref` that names nothing, or a cycle of references and combinators that never goes into the value. */
function referenceIssues(found: Map<string, Found>): SchemaIssue[] {
  const issues: SchemaIssue[] = [];
  for (const f of found.values()) {
    for (const target of f.inPlace) if (!found.has(target)) issues.push({ path: `${f.path}.$ref`, message: `unresolvable reference ${target}` });
  }
  if (issues.length) return issues.slice(0, MAX_ISSUES);
  // Iterative depth-first search for a cycle in the in-place graph (white 0, grey 1, black 2).
  const colour = new Map<string, number>();
  for (const start of found.keys()) {
    if (colour.get(start)) continue;
    const stack: [string, number][] = [[start, 0]];
    colour.set(start, 1);
    while (stack.length) {
      const top = stack[stack.length - 1]!;
      const edges = found.get(top[0])!.inPlace;
      if (top[1] >= edges.length) {
        colour.set(top[0], 2);
        stack.pop();
        continue;
      }
      const next = edges[top[1]++]!;
      const c = colour.get(next) ?? 0;
      if (c === 1) return [{ path: found.get(next)!.path, message: 'the schema refers to itself without going into the value (an endless loop)' }];
      if (c === 0) {
        colour.set(next, 1);
        stack.push([next, 0]);
      }
    }
  }
  return [];
}

/** Problems that make a schema unusable (checked when a graph is saved and before any call to a model). */
export function schemaProblems(schema: unknown): SchemaIssue[] {
  if (typeof schema !== 'boolean' && !isObject(schema)) return [{ path: '$', message: 'a schema is an object or a boolean' }];
  const { issues, found } = survey(schema);
  if (issues.length) return issues;
  const refs = referenceIssues(found);
  if (refs.length) return refs;
  try {
    new Validator(prepare(schema as Schema | boolean).schema, DRAFT, false);
  } catch {
    return [{ path: '$', message: 'the schema cannot be read as a JSON Schema' }];
  }
  return [];
}

/**
 * A copy of the schema whose `pattern`s name formats matched by re2js, each registered in the
 * library's format table only while one validation runs.
 */
function prepare(schema: Schema | boolean): { schema: Schema | boolean; patterns: Map<string, RE2JS> } {
  const patterns = new Map<string, RE2JS>();
  const copy = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(copy);
    if (!isObject(value)) return value;
    const out: Json = {};
    for (const [k, v] of Object.entries(value)) out[k] = k === 'enum' || k === 'const' || k === 'default' || k === 'examples' ? v : copy(v);
    if (typeof value.pattern === 'string') {
      const name = `${PATTERN_FORMAT}${value.pattern}`;
      if (!patterns.has(name)) patterns.set(name, RE2JS.compile(value.pattern));
      delete out.pattern;
      if (out.format === undefined) out.format = name;
      else out.allOf = [...(Array.isArray(out.allOf) ? out.allOf : []), { format: name }];
    }
    return out;
  };
  return { schema: copy(schema) as Schema | boolean, patterns };
}

/** The schema behind a proxy that counts reads of its keywords and stops the walk past the budget. */
class WorkExceeded extends Error {}
function metered(schema: Schema | boolean, budget: { left: number }): Schema | boolean {
  const seen = new WeakMap<object, object>();
  const wrap = (value: unknown): unknown => {
    if (typeof value !== 'object' || value === null) return value;
    const known = seen.get(value);
    if (known) return known;
    const proxy = new Proxy(value, {
      get(target, key, receiver) {
        if (--budget.left < 0) throw new WorkExceeded();
        return wrap(Reflect.get(target, key, receiver));
      },
    });
    seen.set(value, proxy);
    return proxy;
  };
  return wrap(schema) as Schema | boolean;
}

function depthOf(value: unknown): number {
  let max = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length) {
    const [v, d] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (d + 1 > max) max = d + 1;
    if (max > MAX_DEPTH) return max;
    for (const x of Array.isArray(v) ? v : Object.values(v)) stack.push([x, d + 1]);
  }
  return max;
}

/** `#/tags/2` → `$.tags[2]` */
function readablePath(location: string): string {
  let path = '$';
  for (const raw of location.replace(/^#\/?/, '').split('/')) {
    if (raw === '') continue;
    const part = normalPointer(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    path = /^(0|[1-9]\d*)$/.test(part) ? childPath(path, Number(part)) : childPath(path, part);
  }
  return path;
}

/** Keywords the library reports above the errors of their subschemas: those errors say more. */
const SUMMARIES = new Set(['properties', 'items', 'prefixItems', '$ref', 'allOf', 'dependentSchemas', 'unevaluatedItems', 'contains', 'then', 'else', 'propertyNames']);
/** Keywords whose subschemas' errors are expected (a branch not taken): only the keyword's own error is shown. */
const ALTERNATIVES = new Set(['anyOf', 'oneOf', 'not', 'if']);

function issuesOf(errors: OutputUnit[]): SchemaIssue[] {
  const issues: SchemaIssue[] = [];
  let hidden: string | undefined;
  errors.forEach((e, i) => {
    if (hidden !== undefined && e.keywordLocation.startsWith(hidden)) return;
    hidden = ALTERNATIVES.has(e.keyword) ? `${e.keywordLocation}/` : undefined;
    const next = errors[i + 1];
    if (SUMMARIES.has(e.keyword) && next && next.keywordLocation.startsWith(`${e.keywordLocation}/`)) return;
    if (e.keyword === 'false' && i > 0 && ['additionalProperties', 'unevaluatedProperties'].includes(errors[i - 1]!.keyword)) {
      issues[issues.length - 1] = { path: readablePath(e.instanceLocation), message: 'is not an allowed property' };
      return;
    }
    issues.push({ path: readablePath(e.instanceLocation), message: messageOf(e) });
  });
  return issues;
}

function messageOf(e: OutputUnit): string {
  if (e.keyword === 'false') return 'no value is allowed here';
  const custom = /^String does not match format "weft:pattern:([\s\S]*)"\.$/.exec(e.error);
  if (custom) return `must match ${custom[1]}`;
  return e.error.replace(/\.$/, '');
}

/** Every way `value` breaks `schema` (at most 20), or none. The schema must pass schemaProblems. */
export function validateJson(value: unknown, schema: boolean | Record<string, unknown>): SchemaIssue[] {
  if (depthOf(value) > MAX_DEPTH) return [{ path: '$', message: `the value is nested deeper than ${MAX_DEPTH} levels` }];
  const { schema: prepared, patterns } = prepare(schema as Schema | boolean);
  const budget = { left: MAX_SCHEMA_READS };
  for (const [name, re] of patterns) formats[name] = (s: string) => re.matcher(s).find();
  try {
    const result = new Validator(metered(prepared, budget), DRAFT, false).validate(value);
    return result.valid ? [] : issuesOf(result.errors).slice(0, MAX_ISSUES);
  } catch (err) {
    if (err instanceof WorkExceeded || err instanceof RangeError) return [{ path: '$', message: 'checking the value against the schema takes too much work' }];
    throw err;
  } finally {
    for (const name of patterns.keys()) delete formats[name];
  }
}
