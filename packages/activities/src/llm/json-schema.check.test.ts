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
    expect(issues).toEqual(
      expect.arrayContaining([
        { path: '$.name', message: 'must match ^[A-Z]' },
        { path: '$.age', message: 'expected integer, got number' },
        { path: '$.tags[2]', message: 'must be one of ["a","b","c"]' },
        { path: '$.tags', message: 'items must be unique' },
        { path: '$.address.city', message: 'is required' },
        { path: '$.extra', message: 'is not an allowed property' },
      ]),
    );
    expect(issues).toHaveLength(6);
  });

  it('reports missing required properties and wrong top-level types', () => {
    expect(validateJson({}, person)).toEqual([
      { path: '$.name', message: 'is required' },
      { path: '$.age', message: 'is required' },
    ]);
    expect(validateJson([1], person)).toEqual([{ path: '$', message: 'expected object, got array' }]);
  });

  it('checks numbers, strings and lengths at their bounds', () => {
    const s = { type: 'object', properties: { n: { type: 'number', minimum: 1, maximum: 2, multipleOf: 0.5 }, s: { type: 'string', minLength: 2, maxLength: 3 } } };
    expect(validateJson({ n: 1.5, s: 'ab' }, s)).toEqual([]);
    expect(validateJson({ n: 2.5, s: 'abcd' }, s).map((i) => i.message)).toEqual(['must be ≤ 2', 'must be at most 3 characters']);
    expect(validateJson({ n: 1.25, s: 'é' }, s).map((i) => i.message)).toEqual(['must be a multiple of 0.5', 'must be at least 2 characters']);
    // An integer is a number.
    expect(validateJson(3, { type: 'number' })).toEqual([]);
  });

  it('supports anyOf, oneOf, allOf, not, const, prefixItems and boolean schemas', () => {
    expect(validateJson('x', { anyOf: [{ type: 'number' }, { type: 'string' }] })).toEqual([]);
    expect(validateJson(true, { anyOf: [{ type: 'number' }, { type: 'string' }] })).toEqual([{ path: '$', message: 'matches none of anyOf' }]);
    expect(validateJson(5, { oneOf: [{ type: 'number' }, { type: 'integer' }] })[0]!.message).toBe('must match exactly one of oneOf (matches 2)');
    expect(validateJson(5, { allOf: [{ minimum: 1 }, { maximum: 3 }] })).toEqual([{ path: '$', message: 'must be ≤ 3' }]);
    expect(validateJson('no', { not: { const: 'no' } })).toEqual([{ path: '$', message: 'must not match the "not" schema' }]);
    expect(validateJson(['a', 1], { type: 'array', prefixItems: [{ type: 'string' }, { type: 'string' }] })).toEqual([{ path: '$[1]', message: 'expected string, got integer' }]);
    expect(validateJson({ a: 1 }, { type: 'object', additionalProperties: { type: 'string' } })).toEqual([{ path: '$.a', message: 'expected string, got integer' }]);
    expect(validateJson(1, true)).toEqual([]);
    expect(validateJson(1, false)).toEqual([{ path: '$', message: 'no value is allowed here' }]);
  });

  it('follows recursive references without looping forever', () => {
    const tree = { type: 'object', properties: { children: { type: 'array', items: { $ref: '#' } }, v: { type: 'number' } } };
    expect(validateJson({ v: 1, children: [{ v: 2, children: [{ v: 'x' }] }] }, tree)).toEqual([{ path: '$.children[0].children[0].v', message: 'expected number, got string' }]);
    const loop = { $ref: '#' };
    expect(validateJson(1, loop)[0]!.message).toBe('the schema refers to itself too deeply');
  });

  it('names properties that are not identifiers with brackets', () => {
    expect(validateJson({}, { required: ['first name'] })).toEqual([{ path: '$["first name"]', message: 'is required' }]);
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
      properties: { a: { type: 'text' }, b: { pattern: '([' }, c: { $ref: '#/$defs/missing' }, d: 5 },
      required: 'a',
      anyOf: [],
    });
    expect(issues.map((i) => i.path)).toEqual(['$.required', '$.properties.a.type', '$.properties.b.pattern', '$.properties.c.$ref', '$.properties.d', '$.anyOf']);
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
    expect(wrong).toEqual({ ok: false, problem: 'the answer does not match the response schema: $.age is required', issues: [{ path: '$.age', message: 'is required' }] });
  });
});
