/**
 * A small JSON Schema checker for the subset that describes LLM outputs, written here rather than
 * pulled in (ajv and friends compile schemas to code and bring their own dependency trees).
 * Supported: boolean schemas, type (one or a list; "integer" included), enum, const, properties,
 * required, additionalProperties, minProperties, maxProperties, items (one schema), prefixItems,
 * minItems, maxItems, uniqueItems, minLength, maxLength, pattern, minimum, maximum,
 * exclusiveMinimum, exclusiveMaximum (numbers), multipleOf, anyOf, oneOf, allOf, not, local $ref
 * (`#/$defs/…`, `#/definitions/…`, `#`). Other keywords (format, title, description…) are
 * annotations and are ignored.
 */

export interface SchemaIssue {
  /** where in the value (or the schema): `$`, `$.items[2].name` */
  path: string;
  message: string;
}

const TYPES = new Set(['string', 'number', 'integer', 'boolean', 'object', 'array', 'null']);
const MAX_ISSUES = 20;
const MAX_DEPTH = 64;

type Schema = boolean | Record<string, unknown>;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const childPath = (path: string, key: string | number) =>
  typeof key === 'number' ? `${path}[${key}]` : /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => k in b && deepEqual(a[k], b[k]));
  }
  return false;
}

function resolveRef(root: Schema, ref: string): Schema | undefined {
  if (ref === '#') return root;
  if (!ref.startsWith('#/')) return undefined;
  let node: unknown = root;
  for (const raw of ref.slice(2).split('/')) {
    const part = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    if (!isObject(node) || !(part in node)) return undefined;
    node = node[part];
  }
  return typeof node === 'boolean' || isObject(node) ? node : undefined;
}

/** Problems that make a schema unusable (checked once, before any call to a model). */
export function schemaProblems(schema: unknown): SchemaIssue[] {
  const issues: SchemaIssue[] = [];
  if (typeof schema !== 'boolean' && !isObject(schema)) return [{ path: '$', message: 'a schema is an object or a boolean' }];
  const root = schema;
  const walk = (s: unknown, path: string, depth: number): void => {
    if (issues.length >= MAX_ISSUES || typeof s === 'boolean') return;
    if (!isObject(s)) return void issues.push({ path, message: 'a schema is an object or a boolean' });
    if (depth > MAX_DEPTH) return void issues.push({ path, message: `nested deeper than ${MAX_DEPTH} levels` });
    const types = s.type === undefined ? [] : Array.isArray(s.type) ? s.type : [s.type];
    for (const t of types) if (typeof t !== 'string' || !TYPES.has(t)) issues.push({ path: `${path}.type`, message: `unknown type ${JSON.stringify(t)}` });
    if (s.required !== undefined && !(Array.isArray(s.required) && s.required.every((r) => typeof r === 'string'))) {
      issues.push({ path: `${path}.required`, message: 'required is a list of property names' });
    }
    if (s.enum !== undefined && !Array.isArray(s.enum)) issues.push({ path: `${path}.enum`, message: 'enum is a list' });
    if (s.pattern !== undefined) {
      try {
        new RegExp(String(s.pattern), 'u');
      } catch {
        issues.push({ path: `${path}.pattern`, message: `invalid regular expression ${JSON.stringify(s.pattern)}` });
      }
    }
    if (typeof s.$ref === 'string' && !resolveRef(root, s.$ref)) issues.push({ path: `${path}.$ref`, message: `unresolvable reference ${s.$ref}` });
    for (const k of ['properties', '$defs', 'definitions'] as const) {
      if (s[k] === undefined) continue;
      if (!isObject(s[k])) issues.push({ path: `${path}.${k}`, message: `${k} is an object of schemas` });
      else for (const [name, sub] of Object.entries(s[k])) walk(sub, childPath(`${path}.${k}`, name), depth + 1);
    }
    for (const k of ['items', 'additionalProperties', 'not'] as const) if (s[k] !== undefined) walk(s[k], `${path}.${k}`, depth + 1);
    for (const k of ['anyOf', 'oneOf', 'allOf', 'prefixItems'] as const) {
      if (s[k] === undefined) continue;
      if (!Array.isArray(s[k]) || !(s[k] as unknown[]).length) issues.push({ path: `${path}.${k}`, message: `${k} is a non-empty list of schemas` });
      else (s[k] as unknown[]).forEach((sub, i) => walk(sub, `${path}.${k}[${i}]`, depth + 1));
    }
  };
  walk(schema, '$', 0);
  return issues;
}

/** Every way `value` breaks `schema` (at most 20), or none. The schema must pass schemaProblems. */
export function validateJson(value: unknown, schema: Schema): SchemaIssue[] {
  const issues: SchemaIssue[] = [];
  const root = schema;
  const check = (v: unknown, s: Schema, path: string, out: SchemaIssue[], depth: number): void => {
    if (out.length >= MAX_ISSUES) return;
    if (s === true) return;
    if (s === false) return void out.push({ path, message: 'no value is allowed here' });
    if (depth > MAX_DEPTH) return void out.push({ path, message: 'the schema refers to itself too deeply' });
    if (typeof s.$ref === 'string') check(v, resolveRef(root, s.$ref) ?? true, path, out, depth + 1);

    const t = typeOf(v);
    if (s.type !== undefined) {
      const allowed = (Array.isArray(s.type) ? s.type : [s.type]) as string[];
      if (!allowed.includes(t) && !(t === 'integer' && allowed.includes('number'))) {
        return void out.push({ path, message: `expected ${allowed.join(' or ')}, got ${t}` });
      }
    }
    if (Array.isArray(s.enum) && !s.enum.some((e) => deepEqual(e, v))) out.push({ path, message: `must be one of ${JSON.stringify(s.enum)}` });
    if ('const' in s && !deepEqual(s.const, v)) out.push({ path, message: `must equal ${JSON.stringify(s.const)}` });

    if (typeof v === 'string') checkString(v, s, path, out);
    else if (typeof v === 'number') checkNumber(v, s, path, out);
    else if (Array.isArray(v)) {
      const prefix = Array.isArray(s.prefixItems) ? (s.prefixItems as Schema[]) : [];
      v.forEach((item, i) => {
        const sub = i < prefix.length ? prefix[i] : (s.items as Schema | undefined);
        if (sub !== undefined) check(item, sub, childPath(path, i), out, depth + 1);
      });
      if (typeof s.minItems === 'number' && v.length < s.minItems) out.push({ path, message: `must have at least ${s.minItems} items` });
      if (typeof s.maxItems === 'number' && v.length > s.maxItems) out.push({ path, message: `must have at most ${s.maxItems} items` });
      if (s.uniqueItems === true && v.some((x, i) => v.findIndex((y) => deepEqual(x, y)) !== i)) out.push({ path, message: 'items must be unique' });
    } else if (isObject(v)) {
      const props = isObject(s.properties) ? (s.properties as Record<string, Schema>) : {};
      for (const name of Array.isArray(s.required) ? (s.required as string[]) : []) {
        if (!(name in v)) out.push({ path: childPath(path, name), message: 'is required' });
      }
      for (const [name, x] of Object.entries(v)) {
        if (name in props) check(x, props[name]!, childPath(path, name), out, depth + 1);
        else if (s.additionalProperties === false) out.push({ path: childPath(path, name), message: 'is not an allowed property' });
        else if (isObject(s.additionalProperties)) check(x, s.additionalProperties, childPath(path, name), out, depth + 1);
      }
      const n = Object.keys(v).length;
      if (typeof s.minProperties === 'number' && n < s.minProperties) out.push({ path, message: `must have at least ${s.minProperties} properties` });
      if (typeof s.maxProperties === 'number' && n > s.maxProperties) out.push({ path, message: `must have at most ${s.maxProperties} properties` });
    }

    const passes = (sub: Schema) => {
      const scratch: SchemaIssue[] = [];
      check(v, sub, path, scratch, depth + 1);
      return scratch.length === 0;
    };
    if (Array.isArray(s.allOf)) for (const sub of s.allOf as Schema[]) check(v, sub, path, out, depth + 1);
    if (Array.isArray(s.anyOf) && !(s.anyOf as Schema[]).some(passes)) out.push({ path, message: 'matches none of anyOf' });
    if (Array.isArray(s.oneOf)) {
      const matches = (s.oneOf as Schema[]).filter(passes).length;
      if (matches !== 1) out.push({ path, message: `must match exactly one of oneOf (matches ${matches})` });
    }
    if (s.not !== undefined && passes(s.not as Schema)) out.push({ path, message: 'must not match the "not" schema' });
  };
  check(value, schema, '$', issues, 0);
  return issues.slice(0, MAX_ISSUES);
}

function checkString(v: string, s: Record<string, unknown>, path: string, out: SchemaIssue[]): void {
  const length = [...v].length; // code points, as JSON Schema counts them
  if (typeof s.minLength === 'number' && length < s.minLength) out.push({ path, message: `must be at least ${s.minLength} characters` });
  if (typeof s.maxLength === 'number' && length > s.maxLength) out.push({ path, message: `must be at most ${s.maxLength} characters` });
  if (typeof s.pattern === 'string' && !new RegExp(s.pattern, 'u').test(v)) out.push({ path, message: `must match ${s.pattern}` });
}

function checkNumber(v: number, s: Record<string, unknown>, path: string, out: SchemaIssue[]): void {
  if (typeof s.minimum === 'number' && v < s.minimum) out.push({ path, message: `must be ≥ ${s.minimum}` });
  if (typeof s.maximum === 'number' && v > s.maximum) out.push({ path, message: `must be ≤ ${s.maximum}` });
  if (typeof s.exclusiveMinimum === 'number' && v <= s.exclusiveMinimum) out.push({ path, message: `must be > ${s.exclusiveMinimum}` });
  if (typeof s.exclusiveMaximum === 'number' && v >= s.exclusiveMaximum) out.push({ path, message: `must be < ${s.exclusiveMaximum}` });
  if (typeof s.multipleOf === 'number' && s.multipleOf > 0) {
    const q = v / s.multipleOf;
    if (Math.abs(q - Math.round(q)) > 1e-9) out.push({ path, message: `must be a multiple of ${s.multipleOf}` });
  }
}
