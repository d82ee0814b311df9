import { fakeExecutors } from '../support/fake-executors';
import { code, end, graph, start, tpl } from '../support/graph-builder';
import { runGraph, useSuiteHarness } from '../support/harness';

const executors = fakeExecutors();
const suite = useSuiteHarness('interp', executors);

const run = (g: unknown, inputs: Record<string, unknown> = {}) => runGraph(suite.api, g, inputs);

const statusOf = (nodes: any[], key: string) => nodes.filter((n) => n.key === key).map((n) => n.status);

const ifElse = (id: string, left: string, op: string, right: unknown) => ({
  id,
  type: 'if-else',
  data: { cases: [{ id: 'yes', logic: 'and', conditions: [{ left, op, right }] }] },
});

describe('readiness and skipping', () => {
  it('runs a join after an if-else once, and skips the branch not taken', async () => {
    const g = graph(
      [start, ifElse('check', '{{ start.n }}', 'gt', 10), tpl('big', 'big'), tpl('small', 'small'), tpl('join', 'joined'), {
        id: 'pick', type: 'variable-aggregator', data: { sources: ['{{ big.text }}', '{{ small.text }}'] },
      }, end({ size: '{{ pick.value }}', join: '{{ join.text }}' })],
      [['start', 'check'], ['check', 'big', 'yes'], ['check', 'small', 'else'], ['big', 'join'], ['small', 'join'], ['join', 'pick'], ['pick', 'end']],
      { n: { type: 'number', required: true } },
    );
    const { run: r1, nodes } = await run(g, { n: 3 });
    expect(r1.outputs).toEqual({ size: 'small', join: 'joined' });
    expect(statusOf(nodes, 'big')).toEqual(['skipped']);
    expect(statusOf(nodes, 'join')).toEqual(['succeeded']);
    const { run: r2 } = await run(g, { n: 30 });
    expect(r2.outputs.size).toBe('big');
  });

  it('waits for every parallel branch before a fan-in node', async () => {
    const g = graph(
      [start, code('a', { value: 'A', delayMs: 300 }), code('b', { value: 'B' }), code('c', { value: 'C', delayMs: 100 }), tpl('fan', '{{ a.value }}{{ b.value }}{{ c.value }}'), end({ all: '{{ fan.text }}' })],
      [['start', 'a'], ['start', 'b'], ['start', 'c'], ['a', 'fan'], ['b', 'fan'], ['c', 'fan'], ['fan', 'end']],
    );
    const { run: r, nodes } = await run(g);
    expect(r.outputs).toEqual({ all: 'ABC' });
    const order = nodes.map((n) => n.key);
    expect(order.indexOf('fan')).toBeGreaterThan(order.indexOf('a'));
    expect(order.indexOf('b')).toBeLessThan(order.indexOf('a')); // ran concurrently: b finished first
  });

  it('propagates a skip through several levels down to a join', async () => {
    const g = graph(
      [start, ifElse('check', '{{ start.flag }}', 'eq', true), tpl('x', 'x'), tpl('y', '{{ x.text }}y'), tpl('z', '{{ y.text }}z'), tpl('other', 'o'), tpl('join', 'j'), end({ j: '{{ join.text }}' })],
      [['start', 'check'], ['check', 'x', 'yes'], ['x', 'y'], ['y', 'z'], ['check', 'other', 'else'], ['z', 'join'], ['other', 'join'], ['join', 'end']],
      { flag: { type: 'boolean', default: false } },
    );
    const { run: r, nodes } = await run(g);
    expect(r.status).toBe('succeeded');
    expect(['x', 'y', 'z'].flatMap((k) => statusOf(nodes, k))).toEqual(['skipped', 'skipped', 'skipped']);
    expect(statusOf(nodes, 'join')).toEqual(['succeeded']);
  });
});
