import { body, end, graph, start, startAt, tpl } from '../support/graph-builder';
import { publishGraph, useSuiteHarness } from '../support/harness';

/**
 * Child runs are runs (issue 7, item 7): a sub-workflow node's run has its own record linked to its
 * parent, its own node records and attempts (so effectful nodes work inside it), its usage rolls up
 * into the parent's, and a value held outside history arrives as the value itself.
 */
const suite = useSuiteHarness('child-runs');

const codeNode = (id: string, source: string, inputs: Record<string, unknown> = {}) => ({ id, type: 'code', data: { language: 'javascript', code: source, inputs } });

/** A child workflow with an effectful node: a real code node in the sandbox. */
async function publishChild(): Promise<string> {
  return publishGraph(
    suite.api,
    graph(
      [start, codeNode('len', 'function main(inputs) { return { n: inputs.text.length }; }', { text: '{{ start.text }}' }), end({ n: '{{ len.n }}' })],
      [['start', 'len'], ['len', 'end']],
      { text: { type: 'string', required: true } },
    ),
    'child',
  );
}

async function runBlocking(workflowId: string, inputs: Record<string, unknown> = {}) {
  const r = await suite.api('POST', `/v1/workflows/${workflowId}/runs`, { inputs, mode: 'blocking', timeoutMs: 90_000 });
  expect(r.status).toBe(200);
  return r.body.data;
}

it('a child with an effectful node runs as its own run, linked to its parent', async () => {
  const childId = await publishChild();
  const parentId = await publishGraph(
    suite.api,
    graph([start, { id: 'sub', type: 'sub-workflow', data: { workflowId: childId, inputs: { text: 'hello' } } }, end({ n: '{{ sub.n }}' })], [['start', 'sub'], ['sub', 'end']]),
    'parent',
  );
  const parent = await runBlocking(parentId);
  expect(parent.status).toBe('succeeded');
  expect(parent.outputs).toEqual({ n: 5 });
  expect(parent.childCount).toBe(1);
  const [child] = parent.children;
  expect(child).toMatchObject({ workflowId: childId, version: 1, status: 'succeeded', nodeId: 'sub', nodeKey: 'sub' });

  const read = (await suite.api('GET', `/v1/runs/${child.id}`)).body.data;
  expect(read).toMatchObject({ id: child.id, status: 'succeeded', parentRunId: parent.id, parent: { runId: parent.id, nodeId: 'sub', nodeKey: 'sub' }, inputs: { text: 'hello' }, outputs: { n: 5 } });
  const nodes = (await suite.api('GET', `/v1/runs/${child.id}/nodes`)).body.data as any[];
  const len = nodes.find((n) => n.nodeId === 'len');
  expect(len).toMatchObject({ status: 'succeeded', outputs: { n: 5 } });
  expect(len.attempts).toEqual([expect.objectContaining({ attempt: 1, status: 'succeeded' })]);
  // The parent's list of runs can be narrowed to its children.
  const listed = await suite.api('GET', `/v1/runs?parentRunId=${parent.id}`);
  expect(listed.body.data.map((r: any) => r.id)).toEqual([child.id]);
});

it('children inside an iteration carry their item index, and usage rolls up into the parent', async () => {
  const childId = await publishChild();
  const each = {
    id: 'each',
    type: 'iteration',
    data: {
      items: '{{ start.words }}',
      parallelism: 3,
      output: '{{ sub.n }}',
      graph: body([startAt('s'), { id: 'sub', type: 'sub-workflow', data: { workflowId: childId, inputs: { text: '{{ each.item }}' } } }, end({}, 'e')], [['s', 'sub'], ['sub', 'e']]),
    },
  };
  const parentId = await publishGraph(suite.api, graph([start, each, end({ lengths: '{{ each.results }}' })], [['start', 'each'], ['each', 'end']], { words: { type: 'array' } }), 'parent');
  const parent = await runBlocking(parentId, { words: ['a', 'bb', 'ccc'] });
  expect(parent.outputs).toEqual({ lengths: [1, 2, 3] });
  expect(parent.childCount).toBe(3);
  expect(parent.children.map((c: any) => [c.nodeKey, c.iterationIndex]).sort()).toEqual([
    ['sub[each=0]', 0],
    ['sub[each=1]', 1],
    ['sub[each=2]', 2],
  ]);
  // Tokens spent by the children (by their llm nodes) are part of the parent's usage.
  await suite.h.prisma.run.updateMany({ where: { parentRunId: parent.id }, data: { inputTokens: 10, outputTokens: 4 } });
  await suite.h.prisma.run.update({ where: { id: parent.id }, data: { inputTokens: 1, outputTokens: 1 } });
  expect((await suite.api('GET', `/v1/runs/${parent.id}`)).body.data.usage).toEqual({ inputTokens: 31, outputTokens: 13 });
  expect((await suite.api('GET', `/v1/runs/${parent.children[0].id}`)).body.data.usage).toEqual({ inputTokens: 10, outputTokens: 4 });
});

it('a value kept outside history reaches the child as the value itself', async () => {
  const childId = await publishChild();
  // 300 kB of text: the code node's output is kept in run_blobs, and workflow history holds a reference.
  const big = codeNode('big', 'function main() { return { text: "x".repeat(300000) }; }');
  const parentId = await publishGraph(
    suite.api,
    graph(
      [start, big, { id: 'sub', type: 'sub-workflow', data: { workflowId: childId, inputs: { text: '{{ big.text }}' } } }, end({ n: '{{ sub.n }}' })],
      [['start', 'big'], ['big', 'sub'], ['sub', 'end']],
    ),
    'parent',
  );
  const parent = await runBlocking(parentId);
  expect(parent.error).toBeNull();
  expect(parent.outputs).toEqual({ n: 300000 });
});

it('a child that fails fails its node in the parent, and both records say so', async () => {
  const failing = await publishGraph(suite.api, graph([start, codeNode('boom', 'function main() { throw new Error("no"); }'), end({})], [['start', 'boom'], ['boom', 'end']]), 'failing');
  const parentId = await publishGraph(
    suite.api,
    graph([start, { id: 'sub', type: 'sub-workflow', data: { workflowId: failing } }, tpl('after', 'x'), end({})], [['start', 'sub'], ['sub', 'after'], ['after', 'end']]),
    'parent',
  );
  const parent = await runBlocking(parentId);
  expect(parent.status).toBe('failed');
  expect(parent.error).toMatchObject({ code: 'sub_workflow_failed', nodeId: 'sub' });
  const child = (await suite.api('GET', `/v1/runs/${parent.children[0].id}`)).body.data;
  expect(child).toMatchObject({ status: 'failed', error: { code: 'code_runtime_error', nodeId: 'boom' } });
});
