import { end, graph, start } from '../support/graph-builder';
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
