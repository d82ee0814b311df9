import { schemaProblems, validateJson } from './json-schema.check';
import { parseJsonAnswer } from './json-answer';

const person = {
  type: 'object',
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 20, pattern: '^[A-Z]' },
    age: { type: 'integer', minimum: 0, exclusiveMaximum: 150 },
    email: { type: ['string', 'null'] },
    tags: { type: 'array', items: { type: 'string', enum: ['a', 'b', 'c'] }, minItems: 1, maxItems: 3, uniqueItems: true },
    address: { $ref: '#/$defs/address' },
  },
  required: ['name', 'age'],
  additionalProperties: false,
  $defs: { address: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
};

describe('validateJson', () => {
  it('accepts a value that fits', () => {
    expect(validateJson({ name: 'Ada', age: 36, email: null, tags: ['a', 'b'], address: { city: 'London' } }, person)).toEqual([]);
  });

  it('reports every problem with its path', () => {
    const issues = validateJson({ name: 'ada', age: 36.5, tags: ['a', 'a', 'z'], address: {}, extra: 1 }, person);
    expect(issues).toEqual([
      { path: '$.name', message: 'must match ^[A-Z]' },
      { path: '$.age', message: 'Instance type "number" is invalid. Expected "integer"' },
      { path: '$.tags[2]', message: 'Instance does not match any of ["a","b","c"]' },
      { path: '$.tags', message: 'Duplicate items at indexes 0 and 1' },
      { path: '$.address', message: 'Instance does not have required property "city"' },
      { path: '$.extra', message: 'is not an allowed property' },
    ]);
  });

  it('reports missing required properties and wrong top-level types', () => {
    expect(validateJson({}, person)).toEqual([
      { path: '$', message: 'Instance does not have required property "name"' },
      { path: '$', message: 'Instance does not have required property "age"' },
    ]);
    expect(validateJson([1], person)).toEqual([{ path: '$', message: 'Instance type "array" is invalid. Expected "object"' }]);
  });

  it('checks numbers, strings and lengths at their bounds', () => {
    const s = { type: 'object', properties: { n: { type: 'number', minimum: 1, maximum: 2, multipleOf: 0.5 }, s: { type: 'string', minLength: 2, maxLength: 3 } } };
    expect(validateJson({ n: 1.5, s: 'ab' }, s)).toEqual([]);
    expect(validateJson({ n: 2.5, s: 'abcd' }, s).map((i) => i.message)).toEqual(['2.5 is greater than 2', 'String is too long (4 > 3)']);
    expect(validateJson({ n: 1.25, s: 'é' }, s).map((i) => i.message)).toEqual(['1.25 is not a multiple of 0.5', 'String is too short (1 < 2)']);
    // An integer is a number.
    expect(validateJson(3, { type: 'number' })).toEqual([]);
  });

  it('supports anyOf, oneOf, allOf, not, const, prefixItems and boolean schemas', () => {
    expect(validateJson('x', { anyOf: [{ type: 'number' }, { type: 'string' }] })).toEqual([]);
    expect(validateJson(true, { anyOf: [{ type: 'number' }, { type: 'string' }] })).toEqual([{ path: '$', message: 'Instance does not match any subschemas' }]);
    expect(validateJson(5, { oneOf: [{ type: 'number' }, { type: 'integer' }] })[0]!.message).toBe('Instance does not match exactly one subschema (2 matches)');
    expect(validateJson(5, { allOf: [{ minimum: 1 }, { maximum: 3 }] })).toEqual([{ path: '$', message: '5 is greater than 3' }]);
    expect(validateJson('no', { not: { const: 'no' } })).toEqual([{ path: '$', message: 'Instance matched "not" schema' }]);
    expect(validateJson(['a', 1], { type: 'array', prefixItems: [{ type: 'string' }, { type: 'string' }] })).toEqual([{ path: '$[1]', message: 'Instance type "number" is invalid. Expected "string"' }]);
    expect(validateJson({ a: 1 }, { type: 'object', additionalProperties: { type: 'string' } })).toEqual([
      { path: '$', message: 'Property "a" does not match additional properties schema' },
      { path: '$.a', message: 'Instance type "number" is invalid. Expected "string"' },
    ]);
    expect(validateJson(1, true)).toEqual([]);
    expect(validateJson(1, false)).toEqual([{ path: '$', message: 'no value is allowed here' }]);
  });

  it('follows recursive references', () => {
    const tree = { type: 'object', properties: { children: { type: 'array', items: { $ref: '#' } }, v: { type: 'number' } } };
    expect(validateJson({ v: 1, children: [{ v: 2, children: [{ v: 'x' }] }] }, tree)).toEqual([
      { path: '$.children[0].children[0].v', message: 'Instance type "string" is invalid. Expected "number"' },
    ]);
  });

  it('names properties that are not identifiers with brackets', () => {
    expect(validateJson({ 'first name': 1 }, { properties: { 'first name': { type: 'string' } } })).toEqual([
      { path: '$["first name"]', message: 'Instance type "number" is invalid. Expected "string"' },
    ]);
  });

  it('matches a pattern beside a format, and leaves the schema it was given as it was', () => {
    const schema = { type: 'string', format: 'email', pattern: '@example\\.com$' };
    const before = JSON.stringify(schema);
    expect(validateJson('ada@example.com', schema)).toEqual([]);
    expect(validateJson('ada@example.org', schema)).toEqual([{ path: '$', message: 'must match @example\\.com$' }]);
    expect(JSON.stringify(schema)).toBe(before);
  });
});

describe('hostile schemas and values', () => {
  it('matches a catastrophic pattern in linear time', () => {
    const schema = { type: 'string', pattern: '^(a+)+$' };
    const started = Date.now();
    expect(validateJson(`${'a'.repeat(5_000)}!`, schema)).toEqual([{ path: '$', message: 'must match ^(a+)+$' }]);
    expect(validateJson('a'.repeat(5_000), schema)).toEqual([]);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('stops a schema whose combinators multiply the work', () => {
    // Each level tries its two branches, both of which fail: 2^40 applications unbounded.
    const $defs: Record<string, unknown> = { d40: { type: 'string' } };
    for (let i = 0; i < 40; i++) $defs[`d${i}`] = { anyOf: [{ $ref: `#/$defs/d${i + 1}` }, { $ref: `#/$defs/d${i + 1}` }] };
    const schema = { $defs, $ref: '#/$defs/d0' };
    expect(schemaProblems(schema)).toEqual([]);
    const started = Date.now();
    expect(validateJson(1, schema)).toEqual([{ path: '$', message: 'checking the value against the schema takes too much work' }]);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('refuses a value nested deeper than the cap', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100; i++) deep = [deep];
    expect(validateJson(deep, { type: 'array' })).toEqual([{ path: '$', message: 'the value is nested deeper than 64 levels' }]);
  });

  it('refuses references that loop without going into the value, and those that go nowhere or elsewhere', () => {
    expect(schemaProblems({ $ref: '#' })).toEqual([{ path: '$', message: 'the schema refers to itself without going into the value (an endless loop)' }]);
    expect(schemaProblems({ $defs: { a: { allOf: [{ $ref: '#/$defs/b' }] }, b: { not: { $ref: '#/$defs/a' } } }, $ref: '#/$defs/a' })[0]!.message).toMatch(/endless loop/);
    expect(schemaProblems({ $ref: '#/$defs/missing' })).toEqual([{ path: '$.$ref', message: 'unresolvable reference #/$defs/missing' }]);
    expect(schemaProblems({ $ref: 'https://example.com/schema.json' })).toEqual([{ path: '$.$ref', message: 'only references within the schema (#/…) are supported' }]);
  });

  it('refuses schemas too large or too deep, patterns that cannot be matched in linear time, and patternProperties', () => {
    const properties: Record<string, unknown> = {};
    for (let i = 0; i < 6_000; i++) properties[`p${i}`] = { type: 'string' };
    expect(schemaProblems({ type: 'object', properties })).toEqual([{ path: '$', message: 'the schema has more than 5000 parts' }]);
    let deep: Record<string, unknown> = { type: 'string' };
    for (let i = 0; i < 70; i++) deep = { not: deep };
    expect(schemaProblems(deep)[0]!.message).toBe('nested deeper than 64 levels');
    expect(schemaProblems({ pattern: '^(a)\\1$' })[0]!.message).toMatch(/outside linear-time matching/);
    expect(schemaProblems({ pattern: 'x'.repeat(1_001) })[0]!.message).toBe('a pattern is at most 1000 characters');
    expect(schemaProblems({ patternProperties: { '^(a+)+$': true } })).toEqual([{ path: '$.patternProperties', message: 'patternProperties is not supported' }]);
  });
});

describe('schemaProblems', () => {
  it('accepts a usable schema', () => {
    expect(schemaProblems(person)).toEqual([]);
    expect(schemaProblems(true)).toEqual([]);
  });

  it('reports unknown types, bad keywords, bad patterns and dangling references', () => {
    const issues = schemaProblems({
      type: 'object',
      properties: { a: { type: 'text' }, b: { pattern: '([' }, d: 5 },
      required: 'a',
      anyOf: [],
    });
    expect(issues.map((i) => i.path).sort()).toEqual(['$.anyOf', '$.properties.a.type', '$.properties.b.pattern', '$.properties.d', '$.required']);
    expect(schemaProblems('string')).toEqual([{ path: '$', message: 'a schema is an object or a boolean' }]);
  });
});

describe('parseJsonAnswer', () => {
  it('reads JSON, also inside a Markdown fence', () => {
    expect(parseJsonAnswer('{"a":1}')).toEqual({ ok: true, value: { a: 1 } });
    expect(parseJsonAnswer('```json\n{"a":1}\n```')).toEqual({ ok: true, value: { a: 1 } });
  });

  it('explains text that is not JSON and JSON that breaks the schema', () => {
    const notJson = parseJsonAnswer('Sure! Here it is: {a: 1}');
    expect(notJson.ok).toBe(false);
    expect(!notJson.ok && notJson.problem).toMatch(/^the answer is not JSON/);
    const wrong = parseJsonAnswer('{"name":"Ada"}', person);
    const missing = { path: '$', message: 'Instance does not have required property "age"' };
    expect(wrong).toEqual({ ok: false, problem: `the answer does not match the response schema: ${missing.path} ${missing.message}`, issues: [missing] });
  });
});
