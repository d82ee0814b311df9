import { fakeExecutors } from '../support/fake-executors';
import { body, code, end, graph, start, startAt, tpl } from '../support/graph-builder';
import { runGraph, useSuiteHarness } from '../support/harness';

const suite = useSuiteHarness('containers', fakeExecutors());

const run = (g: unknown, inputs: Record<string, unknown> = {}) => runGraph(suite.api, g, inputs);

/** An iteration whose items each go through a code node that waits `delayMs` (so they finish out of order). */
function iterationGraph(parallelism: number, onItemError = 'terminate') {
  return graph(
    [
      start,
      {
        id: 'each',
        type: 'iteration',
        data: {
          items: '{{ start.items }}',
          parallelism,
          onItemError,
          output: '{{ work.value }}',
          graph: body([startAt('s1'), code('work', { value: '{{ each.item.name }}-{{ each.index }}', delayMs: '{{ each.item.ms }}', fail: '{{ each.item.fail }}' }), end({}, 'e1')], [['s1', 'work'], ['work', 'e1']]),
        },
      },
      end({ results: '{{ each.results }}' }),
    ],
    [['start', 'each'], ['each', 'end']],
    { items: { type: 'array', required: true } },
  );
}

const items = [
  { name: 'a', ms: 300 },
  { name: 'b', ms: 10 },
  { name: 'c', ms: 150 },
];

describe('iteration', () => {
  it.each([1, 3])('keeps item order with parallelism %i', async (parallelism) => {
    const { run: r, nodes } = await run(iterationGraph(parallelism), { items });
    expect(r.outputs.results).toEqual(['a-0', 'b-1', 'c-2']);
    const work = nodes.filter((n) => n.nodeId === 'work');
    expect(work.map((n) => n.iterationIndex).sort()).toEqual([0, 1, 2]);
    if (parallelism > 1) expect(work.map((n) => n.iterationIndex)).toEqual([1, 2, 0]); // finished out of order
  });

  it('handles a failing item per onItemError', async () => {
    const bad = [{ name: 'a', ms: 1 }, { name: 'b', ms: 1, fail: 'boom' }, { name: 'c', ms: 1 }];
    expect((await run(iterationGraph(1, 'continue'), { items: bad })).run.outputs.results).toEqual(['a-0', null, 'c-2']);
    expect((await run(iterationGraph(2, 'remove'), { items: bad })).run.outputs.results).toEqual(['a-0', 'c-2']);
    const terminated = await run(iterationGraph(1, 'terminate'), { items: bad });
    expect(terminated.run.status).toBe('failed');
    expect(terminated.run.error).toMatchObject({ code: 'iteration_item_failed', nodeId: 'work' });
    expect(terminated.run.error.message).toContain('boom');
  });

  it('runs nested iterations and flattens', async () => {
    const inner = {
      id: 'inner',
      type: 'iteration',
      data: { items: '{{ outer.item }}', parallelism: 2, output: '{{ t.text }}', graph: body([startAt('s2'), tpl('t', '{{ outer.index }}.{{ inner.index }}={{ inner.item }}'), end({}, 'e2')], [['s2', 't'], ['t', 'e2']]) },
    };
    const g = graph(
      [start, { id: 'outer', type: 'iteration', data: { items: '{{ start.rows }}', parallelism: 2, flatten: true, output: '{{ inner.results }}', graph: body([startAt('s1'), inner, end({}, 'e1')], [['s1', 'inner'], ['inner', 'e1']]) } }, end({ cells: '{{ outer.results }}' })],
      [['start', 'outer'], ['outer', 'end']],
      { rows: { type: 'array', required: true } },
    );
    const { run: r, nodes } = await run(g, { rows: [['x', 'y'], ['z']] });
    expect(r.outputs.cells).toEqual(['0.0=x', '0.1=y', '1.0=z']);
    expect(nodes.filter((n) => n.nodeId === 't').map((n) => n.key).sort()).toEqual(['t[each=0][each=0]', 't[each=0][each=1]', 't[each=1][each=0]']);
  });
});

describe('loop', () => {
  const loopGraph = (maxIterations: number) =>
    graph(
      [
        start,
        {
          id: 'count',
          type: 'loop',
          data: {
            variables: { n: 0, seen: [] },
            maxIterations,
            breakWhen: { logic: 'and', conditions: [{ left: '{{ count.n }}', op: 'gte', right: 3 }] },
            graph: body(
              [
                startAt('s1'),
                { id: 'bump', type: 'assign', data: { assignments: [{ variable: 'n', op: 'increment', value: 1 }, { variable: 'seen', op: 'append', value: '{{ count.index }}' }] } },
                end({}, 'e1'),
              ],
              [['s1', 'bump'], ['bump', 'e1']],
            ),
          },
        },
        end({ vars: '{{ count.variables }}', passes: '{{ count.iterations }}' }),
      ],
      [['start', 'count'], ['count', 'end']],
    );

  it('stops when breakWhen holds', async () => {
    const { run: r, nodes } = await run(loopGraph(10));
    expect(r.outputs).toEqual({ vars: { n: 3, seen: [0, 1, 2] }, passes: 3 });
    expect(nodes.filter((n) => n.nodeId === 'bump').map((n) => n.loopIndex)).toEqual([0, 1, 2]);
  });

  it('stops at maxIterations', async () => {
    expect((await run(loopGraph(2))).run.outputs).toEqual({ vars: { n: 2, seen: [0, 1] }, passes: 2 });
  });
});
