import { findReferences, walkStrings } from './reference';
import { lookup, resolveValue, type VariablePool } from './resolve';

const ref = (nodeId: string, ...path: string[]) => ({ raw: `{{ ${[nodeId, ...path].join('.')} }}`, nodeId, path });

describe('lookup reads own properties only', () => {
  const pool: VariablePool = { start: { name: 'Ada', list: [1, 2, 3], nested: { deep: true } } };

  it('finds what the pool holds', () => {
    expect(lookup(pool, ref('start', 'name'))).toBe('Ada');
    expect(lookup(pool, ref('start', 'list', '1'))).toBe(2);
    expect(lookup(pool, ref('start', 'list', 'length'))).toBe(3);
    expect(lookup(pool, ref('start', 'nested', 'deep'))).toBe(true);
  });

  it.each([
    ['start.constructor', ref('start', 'constructor')],
    ['start.__proto__', ref('start', '__proto__')],
    ['start.toString', ref('start', 'toString')],
    ['start.nested.hasOwnProperty', ref('start', 'nested', 'hasOwnProperty')],
    ['start.list.map', ref('start', 'list', 'map')],
    ['constructor.name (a node id)', ref('constructor', 'name')],
    ['__proto__ (a node id)', ref('__proto__')],
    ['toString (a node id)', ref('toString')],
  ])('reads nothing for {{ %s }}', (_what, r) => {
    expect(lookup(pool, r)).toBeUndefined();
  });

  it('still reads a user value that has such a name', () => {
    const own: VariablePool = JSON.parse('{"x": {"constructor": "mine", "__proto__": {"a": 1}}}');
    expect(lookup(own, ref('x', 'constructor'))).toBe('mine');
    expect(lookup(own, ref('x', '__proto__', 'a'))).toBe(1);
  });

  it('resolves references to prototype members as nothing', () => {
    expect(resolveValue({ a: '{{ start.constructor }}', b: 'x{{ start.__proto__ }}y', c: '{{ toString }}' }, pool)).toEqual({ a: null, b: 'xy', c: null });
  });

  it('drops a __proto__ key instead of setting the copy prototype', () => {
    const data = JSON.parse('{"keep": "{{ start.name }}", "__proto__": {"polluted": "{{ start.name }}"}}');
    const out = resolveValue(data, pool) as Record<string, unknown>;
    expect(out).toEqual({ keep: 'Ada' });
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect((out as { polluted?: unknown }).polluted).toBeUndefined();
  });
});

describe('reference scanning', () => {
  it('walks strings of any depth without recursion, in document order, with their paths', () => {
    let deep: unknown = '{{ a.b }}';
    for (let i = 0; i < 50_000; i++) deep = { k: deep };
    const found = [...walkStrings({ first: 'x', deep, last: ['y'] }, ['data'])];
    expect(found.map((f) => f.text)).toEqual(['x', '{{ a.b }}', 'y']);
    expect(found[0]!.path).toEqual(['data', 'first']);
    expect(found[1]!.path).toHaveLength(50_002);
    expect(found[2]!.path).toEqual(['data', 'last', 0]);
  });

  it('reads references with filter tails, which stop at the next brace', () => {
    expect(findReferences('{{ a.b | upcase }} and {{ c }}').map((r) => r.nodeId)).toEqual(['a', 'c']);
    // An unclosed tail does not swallow the reference after it.
    expect(findReferences('{{ a | x {{ b.c }}').map((r) => r.raw)).toEqual(['{{ b.c }}']);
    // Many unclosed tails: each scan stops at the next brace, so this is linear, not quadratic.
    expect(findReferences('{{ a |'.repeat(20_000))).toEqual([]);
  });
});
