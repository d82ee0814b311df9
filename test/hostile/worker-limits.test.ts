import { body, end, graph, start, startAt, tpl } from '../support/graph-builder';
import { publishGraph } from '../support/harness';
import { othersStillServed, publishRaw, runEnd, startRun, useHostileStack } from '../support/hostile-stack';

/**
 * Graphs that used to abort the worker process or wedge runs for ever (issue 7, items 1, 2, 5, 6):
 * each run now ends with a stable code, the worker process stays up, and another tenant's run is
 * served meanwhile.
 */
// A small per-task budget, so that the batching of large iterations is seen in a small test.
const stack = useHostileStack('limits', {}, { WEFT_RUN_ACTIVATION_STEPS: '20000' });

async function failedNode(runId: string, nodeId: string) {
  const nodes = (await stack.mallory('GET', `/v1/runs/${runId}/nodes`)).body.data as any[];
  return nodes.find((n) => n.nodeId === nodeId && n.status === 'failed');
}

it('a template looping 100,000,000 times fails its node with template_limit_exceeded', async () => {
  const id = await publishGraph(stack.mallory, graph([start, tpl('t', '{% for i in (1..100000000) %}x{% endfor %}'), end({ v: '{{ t.text }}' })], [['start', 't'], ['t', 'end']]));
  const runId = await startRun(stack.mallory, id);
  await othersStillServed(stack);
  const run = await runEnd(stack.mallory, runId);
  expect(run.status).toBe('failed');
  expect(run.error).toMatchObject({ code: 'template_limit_exceeded', nodeId: 't' });
  expect((await failedNode(runId, 't')).error.code).toBe('template_limit_exceeded');
  expect(stack.worker.alive()).toBe(true);
});

it('nested template loops over a large array stop at the step limit', async () => {
  const items = Array.from({ length: 3000 }, (_, i) => i);
  const heavy = tpl('t', '{% for a in start.items %}{% for b in start.items %}{% endfor %}{% endfor %}');
  const id = await publishGraph(stack.mallory, graph([start, heavy, end({ v: '{{ t.text }}' })], [['start', 't'], ['t', 'end']], { items: { type: 'array' } }));
  const runId = await startRun(stack.mallory, id, { items });
  await othersStillServed(stack);
  const run = await runEnd(stack.mallory, runId);
  expect(run.status).toBe('failed');
  expect(run.error).toMatchObject({ code: 'template_limit_exceeded', nodeId: 't' });
  expect(run.error.message).toMatch(/more than \d+ render steps/);
});

it('two hundred heavy templates ready at once are spread over many activations', async () => {
  // Each renders 45,000 steps, within its own limit: together, 9 million steps that once ran in one
  // activation (seconds of CPU, then the worker's native abort). The budget is checked before each.
  const templates = Array.from({ length: 200 }, (_, i) => tpl(`t${i}`, `{% for i in (1..45000) %}{% endfor %}${i}`));
  const edges = templates.flatMap((t): [string, string][] => [['start', t.id], [t.id, 'end']]);
  const id = await publishGraph(stack.mallory, graph([start, ...templates, end({ last: '{{ t199.text }}' })], edges));
  const runId = await startRun(stack.mallory, id);
  await othersStillServed(stack);
  const run = await runEnd(stack.mallory, runId, 180_000);
  expect(run.status).toBe('succeeded');
  expect(run.outputs).toEqual({ last: '199' });
  expect(stack.worker.alive()).toBe(true);
}, 240_000);

it('an iteration over 100,000 items fails with iteration_too_many_items', async () => {
  // The items come from a code node, as a document split into pieces would.
  const make = { id: 'make', type: 'code', data: { language: 'javascript', code: 'function main() { return { items: Array.from({ length: 100000 }, (_, i) => i) }; }' } };
  const each = { id: 'each', type: 'iteration', data: { items: '{{ make.items }}', parallelism: 50, graph: body([startAt('s'), end({ v: '{{ each.item }}' }, 'e')], [['s', 'e']]) } };
  const id = await publishGraph(stack.mallory, graph([start, make, each, end({ n: '{{ each.results }}' })], [['start', 'make'], ['make', 'each'], ['each', 'end']]));
  const runId = await startRun(stack.mallory, id);
  await othersStillServed(stack);
  const run = await runEnd(stack.mallory, runId);
  expect(run.status).toBe('failed');
  expect(run.error).toMatchObject({ code: 'iteration_too_many_items', nodeId: 'each' });
  expect(stack.worker.alive()).toBe(true);
});

it('a large iteration within the limit runs in batches across activations and completes', async () => {
  const items = Array.from({ length: 2000 }, (_, i) => i);
  const each = { id: 'each', type: 'iteration', data: { items: '{{ start.items }}', parallelism: 50, output: '{{ each.item }}', graph: body([startAt('s'), end({}, 'e')], [['s', 'e']]) } };
  const id = await publishGraph(stack.mallory, graph([start, each, end({ n: '{{ each.results }}' })], [['start', 'each'], ['each', 'end']], { items: { type: 'array' } }));
  const runId = await startRun(stack.mallory, id, { items });
  await othersStillServed(stack);
  const run = await runEnd(stack.mallory, runId, 180_000);
  expect(run.status).toBe('succeeded');
  expect(run.outputs.n).toEqual(items);
  // 4,000 inner node executions cannot fit one stretch's budget, so the work was spread over many
  // stretches. A stretch ends at a pause (a no-op local activity) or where a new workflow task starts:
  // which of the two ends them depends on how busy the machine is (a slow one heartbeats its workflow
  // tasks more often, and then needs no pause), so the test counts both.
  let stretches = 0;
  for await (const e of stack.h.temporal.workflow.list({ query: `WorkflowId = "${run.temporal.workflowId}"` })) {
    const history = await stack.h.temporal.workflow.getHandle(run.temporal.workflowId, e.runId).fetchHistory();
    for (const ev of history.events ?? []) {
      if (ev.workflowTaskCompletedEventAttributes) stretches++;
      const payloads = Object.values(ev.markerRecordedEventAttributes?.details ?? {}).flatMap((p) => p?.payloads ?? []);
      if (payloads.some((p) => Buffer.from(p.data ?? []).toString('utf8').includes('pauseTask'))) stretches++;
    }
  }
  expect(stretches).toBeGreaterThanOrEqual(15);
  const nodes = await stack.mallory('GET', `/v1/runs/${runId}/nodes?limit=100&page=40`);
  expect(nodes.body.pagination.total).toBe(2 + 2000 * 2 + 1);
}, 240_000);

it('a loop whose variable nests itself deeper each pass fails with node_output_too_deep instead of growing without bound', async () => {
  const grow = { id: 'grow', type: 'assign', data: { assignments: [{ variable: 'v', op: 'set', value: { inner: '{{ lp.v }}' } }] } };
  const lp = { id: 'lp', type: 'loop', data: { variables: { v: {} }, maxIterations: 1000, graph: body([startAt('ls'), grow, end({}, 'le')], [['ls', 'grow'], ['grow', 'le']]) } };
  const id = await publishGraph(stack.mallory, graph([start, lp, end({ v: '{{ lp.variables }}' })], [['start', 'lp'], ['lp', 'end']]));
  const run = await runEnd(stack.mallory, await startRun(stack.mallory, id));
  expect(run.status).toBe('failed');
  expect(run.error.message).toMatch(/nested more than 64 levels/);
  expect(stack.worker.alive()).toBe(true);
});

it('node ids named like Object.prototype members are refused, and those stored before run like any other', async () => {
  const raw = graph(
    [start, tpl('constructor', 'a'), tpl('toString', '{{ constructor.text }}b'), tpl('__proto__', '{{ toString.text }}c'), end({ v: '{{ __proto__.text }}' })],
    [['start', 'constructor'], ['constructor', 'toString'], ['toString', '__proto__'], ['__proto__', 'end']],
  );
  const refused = await stack.mallory('POST', '/v1/workflows', { name: 'proto', graph: raw });
  expect(refused.status).toBe(422);
  expect(refused.body.details.issues.filter((i: any) => i.code === 'node_id_reserved').map((i: any) => i.nodeId).sort()).toEqual(['__proto__', 'constructor', 'toString']);
  // As a version stored before that rule existed would be: the run never used to pass `start`.
  const id = await publishRaw(stack, stack.mallory, raw);
  const runId = await startRun(stack.mallory, id);
  await othersStillServed(stack);
  const run = await runEnd(stack.mallory, runId);
  expect(run.status).toBe('succeeded');
  expect(run.outputs).toEqual({ v: 'abc' });
  const nodes = (await stack.mallory('GET', `/v1/runs/${run.id}/nodes`)).body.data as any[];
  expect(nodes.map((n) => n.nodeId)).toEqual(['start', 'constructor', 'toString', '__proto__', 'end']);
});

it('an exception inside workflow code ends the run with internal_error and a reference, not an endless task retry', async () => {
  // A damaged stored version: the interpreter meets `edges: null` outside any node handler.
  const id = await publishRaw(stack, stack.mallory, { dsl: 'weft/v1', nodes: [{ id: 'start', type: 'start' }], edges: null });
  const runId = await startRun(stack.mallory, id);
  await othersStillServed(stack);
  const run = await runEnd(stack.mallory, runId);
  expect(run.status).toBe('failed');
  expect(run.error.code).toBe('internal_error');
  expect(run.error.message).toMatch(/reference ref_[0-9a-f]{12}/);
  expect(JSON.stringify(run.error)).not.toMatch(/\/work|node_modules|at .*\.js|TypeError|Cannot read/);
  // The details are in the worker's log under the same reference.
  const ref = /ref_[0-9a-f]{12}/.exec(run.error.message)![0];
  expect(stack.worker.output()).toContain(ref);
});

it('a node whose stored data no longer parses fails plainly with node_data_invalid', async () => {
  const raw = graph([start, { id: 'w', type: 'wait', data: { duration: 'soon' } }, end({})], [['start', 'w'], ['w', 'end']]);
  const run = await runEnd(stack.mallory, await startRun(stack.mallory, await publishRaw(stack, stack.mallory, raw)));
  expect(run.status).toBe('failed');
  expect(run.error).toMatchObject({ code: 'node_data_invalid', nodeId: 'w' });
});

it('a wait stored with an `until` more than 366 days ahead fails with wait_too_long when the run reaches it', async () => {
  const raw = graph([start, { id: 'w', type: 'wait', data: { until: '2999-01-01T00:00:00Z' } }, end({})], [['start', 'w'], ['w', 'end']]);
  const run = await runEnd(stack.mallory, await startRun(stack.mallory, await publishRaw(stack, stack.mallory, raw)));
  expect(run.status).toBe('failed');
  expect(run.error).toMatchObject({ code: 'wait_too_long', nodeId: 'w' });
});

it('run inputs larger than a node output may be are refused with 422 run_inputs_too_large', async () => {
  const id = await publishGraph(stack.mallory, graph([start, end({})], [['start', 'end']], { text: { type: 'string' } }));
  const r = await stack.mallory('POST', `/v1/workflows/${id}/runs`, { inputs: { text: 'x'.repeat(600 * 1024) } });
  expect(r.status).toBe(422);
  expect(r.body.code).toBe('run_inputs_too_large');
  expect(await stack.h.prisma.run.count({ where: { workflowId: id } })).toBe(0);
});

it('the worker survived every graph above', async () => {
  expect(stack.worker.alive()).toBe(true);
  expect(stack.worker.output()).not.toMatch(/async hook stack|Potential deadlock|FATAL ERROR/);
  await othersStillServed(stack);
});

