import { body as b, end, graph, start, startAt, tpl } from '../support/graph-builder';
import { runGraph, useSuiteHarness } from '../support/harness';

/**
 * A value too large for workflow history (kept in run_blobs, a signed reference in its place) used
 * inside a text of an effectful node's data: the activity renders that text with the value itself,
 * so neither the value enters history nor the reference's own JSON reaches the node.
 */
const suite = useSuiteHarness('large-values');

const codeNode = (id: string, source: string, inputs: Record<string, unknown> = {}) => ({ id, type: 'code', data: { language: 'javascript', code: source, inputs } });

it('an effectful node reads a large value embedded in text as the value, not as its reference', async () => {
  const big = codeNode('big', 'function main() { return { text: "y".repeat(300000) }; }');
  const use = codeNode('use', 'function main(inputs) { return { length: inputs.s.length, head: inputs.s.slice(0, 8), marker: inputs.s.includes("$weftBlob") }; }', { s: 'body: {{ big.text }}' });
  const { run, nodes } = await runGraph(suite.api, graph([start, big, use, end({ length: '{{ use.length }}', head: '{{ use.head }}', marker: '{{ use.marker }}' })], [['start', 'big'], ['big', 'use'], ['use', 'end']]));
  expect(run.status).toBe('succeeded');
  expect(run.outputs).toEqual({ length: 6 + 300000, head: 'body: yy', marker: false });
  // The node record shows the text as written, the large value itself stays out of history.
  expect(nodes.find((n: any) => n.nodeId === 'use').inputs.inputs.s).toBe('body: {{ big.text }}');
  const history = JSON.stringify(await suite.h.temporal.workflow.getHandle(run.temporal.workflowId).fetchHistory());
  expect(history.length).toBeLessThan(200_000);
});

it('node records of a long run are written as they gather, not only when it ends', async () => {
  const each = { id: 'each', type: 'iteration', data: { items: '{{ start.items }}', parallelism: 10, graph: b([startAt('s'), tpl('t', '{{ each.item }}'), end({}, 'e')], [['s', 't'], ['t', 'e']]) } };
  const hold = { id: 'hold', type: 'wait', data: { duration: '20s' } };
  const g = graph([start, each, hold, end({})], [['start', 'each'], ['each', 'hold'], ['hold', 'end']], { items: { type: 'array' } });
  const created = await suite.api('POST', '/v1/workflows', { name: 'records', graph: g });
  await suite.api('POST', `/v1/workflows/${created.body.data.id}/publish`);
  const started = await suite.api('POST', `/v1/workflows/${created.body.data.id}/runs`, { inputs: { items: Array.from({ length: 100 }, (_, i) => i) } });
  const runId = started.body.data.id as string;
  // 300 inner node executions and no activity to carry their records: they are written in batches
  // of 100 while the run goes on (the last, smaller batch with the run's end).
  let stored = 0;
  for (let i = 0; i < 50 && stored < 200; i++) {
    await new Promise((r) => setTimeout(r, 200));
    stored = await suite.h.prisma.nodeExecution.count({ where: { runId } });
  }
  expect(stored).toBeGreaterThanOrEqual(300 - 100);
  expect((await suite.api('GET', `/v1/runs/${runId}`)).body.data.status).toBe('running');
  await suite.h.temporal.workflow.getHandle(started.body.data.temporal.workflowId).terminate('test done');
});
