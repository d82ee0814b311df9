import { DEFAULT_RUN_LIMITS, listOperatorDataSchema, type ListOperatorData, type VariablePool } from '@weft/domain';
import type { NodeContext } from '../node-handler';
import { LIST_OPERATOR_MAX_WORK, listOperatorHandler } from './list-operator.handler';

/** The handler is a plain function of its context: only what the list operator reads is real here. */
function context(data: unknown, pool: VariablePool, spent: number[] = []): NodeContext<ListOperatorData> {
  const unused = () => {
    throw new Error('the list operator does not use this');
  };
  return {
    node: { id: 'pick', type: 'list-operator', data },
    data: listOperatorDataSchema.parse(data),
    pool,
    location: { nodeId: 'pick', key: 'pick' },
    run: { runId: 'run_1', tenantId: 't', workflowId: 'wf' },
    limits: DEFAULT_RUN_LIMITS,
    startOutputs: {},
    draining: false,
    spend: (units) => spent.push(units),
    runChild: unused,
    loadBlobs: unused,
    takeRecordsForActivity: unused,
    childRuns: { graphs: {}, versions: {}, executionsLeft: 1, charge: unused },
    approvals: { register: unused, awaitDecision: unused, closed: unused },
    progress: unused,
  };
}

const people = [
  { name: 'Ada', age: 36, team: { name: 'core' } },
  { name: 'bob', age: 17 },
  { name: 'Cy', age: null },
  { name: 'Dee', age: 52, team: { name: 'ops' } },
  { name: 'Eve', age: 36 },
];
const pool: VariablePool = { start: { people, min: 18 } };

async function run(data: Record<string, unknown>, p: VariablePool = pool) {
  const result = await listOperatorHandler(context({ items: '{{ start.people }}', ...data }, p));
  if (result.status !== 'succeeded') throw new Error(`expected success, got ${JSON.stringify(result)}`);
  return result.outputs;
}

describe('list-operator handler', () => {
  it('passes the list through unchanged with no settings, with first, last and count', async () => {
    const out = await run({});
    expect(out).toEqual({ result: people, first: people[0], last: people[4], item: null, count: 5 });
  });

  it('filters by a condition on a key, with a reference as the value', async () => {
    const out = await run({ filter: { conditions: [{ key: 'age', op: 'gte', value: '{{ start.min }}' }] } });
    expect((out.result as { name: string }[]).map((p) => p.name)).toEqual(['Ada', 'Dee', 'Eve']);
  });

  it('combines conditions with or, on nested keys and unary operators', async () => {
    const out = await run({ filter: { logic: 'or', conditions: [{ key: 'team.name', op: 'eq', value: 'ops' }, { key: 'age', op: 'empty' }] } });
    expect((out.result as { name: string }[]).map((p) => p.name)).toEqual(['Cy', 'Dee']);
  });

  it('filters plain values when no key is given', async () => {
    const out = await run({ items: '{{ start.words }}', filter: { conditions: [{ op: 'starts-with', value: 'a' }] } }, { start: { words: ['apple', 'berry', 'avocado'] } });
    expect(out.result).toEqual(['apple', 'avocado']);
  });

  it('sorts stably by a key, ascending and descending, with missing and null last either way', async () => {
    const asc = await run({ sort: { key: 'age' } });
    expect((asc.result as { name: string }[]).map((p) => p.name)).toEqual(['bob', 'Ada', 'Eve', 'Dee', 'Cy']);
    const desc = await run({ sort: { key: 'age', order: 'desc' } });
    expect((desc.result as { name: string }[]).map((p) => p.name)).toEqual(['Dee', 'Ada', 'Eve', 'bob', 'Cy']);
  });

  it('sorts strings by code unit (no locale), numbers before strings', async () => {
    const out = await run({ items: '{{ start.mixed }}', sort: {} }, { start: { mixed: ['b', 10, 'B', 2, true, null, 'a'] } });
    expect(out.result).toEqual([2, 10, 'B', 'a', 'b', true, null]);
  });

  it('slices with offset and limit after filter and sort, and picks the nth item from either end', async () => {
    const out = await run({ sort: { key: 'name' }, offset: 1, limit: 3, nth: -1 });
    expect((out.result as { name: string }[]).map((p) => p.name)).toEqual(['Cy', 'Dee', 'Eve']);
    expect(out).toMatchObject({ first: { name: 'Cy' }, last: { name: 'Eve' }, item: { name: 'Eve' }, count: 3 });
    expect((await run({ nth: 2 })).item).toEqual(people[1]);
    expect((await run({ nth: 9 })).item).toBeNull();
  });

  it('gives null for first, last and item of an empty result', async () => {
    const out = await run({ filter: { conditions: [{ key: 'age', op: 'gt', value: 1000 }] }, nth: 1 });
    expect(out).toEqual({ result: [], first: null, last: null, item: null, count: 0 });
  });

  it('reads own properties only: a key naming a prototype member finds nothing', async () => {
    const out = await run({ filter: { conditions: [{ key: 'constructor', op: 'not-empty' }] } });
    expect(out.count).toBe(0);
  });

  it('fails with a code when items is not an array', async () => {
    const result = await listOperatorHandler(context({ items: '{{ start.min }}' }, pool));
    expect(result).toEqual({ status: 'failed', error: { code: 'list_operator_items_not_array', message: 'items must resolve to an array, got number' } });
  });

  it('refuses, before doing any of it, work that would hold the workflow task too long (an `in` over a long list, per item)', async () => {
    const ids = Array.from({ length: 20_000 }, (_, i) => ({ id: i }));
    const big = Array.from({ length: 2_000 }, (_, i) => i * 7);
    const spent: number[] = [];
    const started = Date.now();
    const result = await listOperatorHandler(context({ items: '{{ start.ids }}', filter: { conditions: [{ key: 'id', op: 'in', value: '{{ start.big }}' }] } }, { start: { ids, big } }, spent));
    expect(result).toMatchObject({ status: 'failed', error: { code: 'list_operator_too_much_work' } });
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(spent).toEqual([]);
    // The same filter over a shorter list is within the bound and runs.
    const fewer = await listOperatorHandler(context({ items: '{{ start.ids }}', filter: { conditions: [{ key: 'id', op: 'in', value: '{{ start.big }}' }] } }, { start: { ids: ids.slice(0, 150), big } }));
    expect(fewer).toMatchObject({ status: 'succeeded', outputs: { count: 22 } });
    expect(LIST_OPERATOR_MAX_WORK).toBe(250_000);
  });

  it('counts its work against the activation budget', async () => {
    const spent: number[] = [];
    await listOperatorHandler(context({ items: '{{ start.people }}', filter: { conditions: [{ key: 'age', op: 'gt', value: 1 }, { key: 'name', op: 'not-empty' }] }, sort: { key: 'age' } }, pool, spent));
    // 5 items × (1 + ceil(value bytes / 8)) for each of the 2 conditions (a value of a byte or none: 1 unit)
    // + 2 × ceil(items' bytes / 8) + ceil(5 × log₂6 / 4) for the sort.
    expect(spent).toEqual([2 * 5 * 2 + 2 * Math.ceil(JSON.stringify(people).length / 8) + 4]);
  });
});
