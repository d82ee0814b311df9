/**
 * Records the histories replayed by replay.test.ts: runs representative graphs (branches,
 * iteration, loop, continue-as-new, retries, sub-workflow, wait, onError) against the test server
 * and exports each execution with the Temporal CLI. Run with `npm run replay:record`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fakeExecutors } from '../support/fake-executors';
import { body, code, end, graph, start, startAt, tpl } from '../support/graph-builder';
import { httpClient, resetDatabase, startHarness, type Harness } from '../support/harness';
import { exportHistory, harnessCodec } from '../support/history-export';

const OUT = path.join(__dirname, 'histories');

let h: Harness;
let api: ReturnType<typeof httpClient>;
let stop: () => Promise<void>;

beforeAll(async () => {
  h = await startHarness('record');
  stop = (await h.startWorker(fakeExecutors())).stop;
  await resetDatabase(h.prisma);
  api = httpClient(h.url, await h.key('acme'));
  fs.mkdirSync(OUT, { recursive: true });
  for (const f of fs.readdirSync(OUT)) if (f.endsWith('.json')) fs.rmSync(path.join(OUT, f));
});
afterAll(async () => {
  await stop();
  await h.close();
});

async function publish(g: unknown) {
  const created = await api('POST', '/v1/workflows', { name: 'record', graph: g });
  if (created.status !== 201) throw new Error(JSON.stringify(created.body));
  await api('POST', `/v1/workflows/${created.body.data.id}/publish`);
  return created.body.data.id as string;
}

async function record(name: string, g: unknown, inputs: Record<string, unknown> = {}) {
  const id = await publish(g);
  const r = await api('POST', `/v1/workflows/${id}/runs`, { inputs, mode: 'blocking', timeoutMs: 90_000 });
  expect(r.body.data.status).toMatch(/succeeded|failed/);
  const wfId = r.body.data.temporal.workflowId as string;
  const runIds: string[] = [];
  for await (const e of h.temporal.workflow.list({ query: `WorkflowId = "${wfId}"` })) runIds.push(e.runId);
  // Decoded by the codec endpoint: committed histories are clear text, readable by any key.
  for (const [i, runId] of runIds.reverse().entries()) {
    const json = await exportHistory(wfId, { runId, codec: harnessCodec(h.url) });
    fs.writeFileSync(path.join(OUT, `${name}${runIds.length > 1 ? `.${i + 1}` : ''}.json`), json);
  }
}

const check = (id: string, left: string, op: string, right: unknown) => ({ id, type: 'if-else', data: { cases: [{ id: 'yes', logic: 'and', conditions: [{ left, op, right }] }] } });

it('records representative runs', async () => {
  await record(
    'branches',
    graph(
      [start, check('c', '{{ start.n }}', 'gt', 1), tpl('a', 'A'), tpl('b', 'B'), { id: 'pick', type: 'variable-aggregator', data: { sources: ['{{ a.text }}', '{{ b.text }}'] } }, end({ v: '{{ pick.value }}' })],
      [['start', 'c'], ['c', 'a', 'yes'], ['c', 'b', 'else'], ['a', 'pick'], ['b', 'pick'], ['pick', 'end']],
      { n: { type: 'number', default: 2 } },
    ),
  );
  await record(
    'iteration',
    graph(
      [start, { id: 'each', type: 'iteration', data: { items: '{{ start.items }}', parallelism: 2, onItemError: 'continue', output: '{{ w.value }}', graph: body([startAt('s1'), code('w', { value: '{{ each.item }}', fail: '{{ each.item.fail }}' }), end({}, 'e1')], [['s1', 'w'], ['w', 'e1']]) } }, end({ r: '{{ each.results }}' })],
      [['start', 'each'], ['each', 'end']],
      { items: { type: 'array', default: [1, { fail: 'x' }, 3] } },
    ),
  );
  await record(
    'loop',
    graph(
      [start, { id: 'l', type: 'loop', data: { variables: { n: 0 }, maxIterations: 5, breakWhen: { logic: 'and', conditions: [{ left: '{{ l.n }}', op: 'gte', right: 2 }] }, graph: body([startAt('s1'), { id: 'inc', type: 'assign', data: { assignments: [{ variable: 'n', op: 'increment', value: 1 }] } }, end({}, 'e1')], [['s1', 'inc'], ['inc', 'e1']]) } }, end({ v: '{{ l.variables }}' })],
      [['start', 'l'], ['l', 'end']],
    ),
  );
  await record(
    'continue-as-new',
    graph(
      [start, { id: 'l', type: 'loop', data: { variables: { t: 0 }, maxIterations: 10, graph: body([startAt('s1'), code('s', { value: '{{ l.index }}' }), { id: 'add', type: 'assign', data: { assignments: [{ variable: 't', op: 'increment', value: '{{ s.value }}' }] } }, end({}, 'e1')], [['s1', 's'], ['s', 'add'], ['add', 'e1']]) } }, end({ t: '{{ l.variables.t }}' })],
      [['start', 'l'], ['l', 'end']],
    ),
  );
  await record(
    'retries',
    graph([start, { id: 'f', type: 'http-request', data: { method: 'GET', url: 'http://api.invalid/x?failTimes=2' }, retry: { maxAttempts: 3, initialInterval: '100ms' } }, end({ a: '{{ f.json.attempt }}' })], [['start', 'f'], ['f', 'end']]),
  );
  await record(
    'on-error',
    graph(
      [start, code('d', { fail: 'no' }, { onError: 'default', default: { value: 1 } }), code('b', { fail: 'no' }, { onError: 'branch' }), tpl('handled', '{{ b.error.code }}'), end({ d: '{{ d.value }}', h: '{{ handled.text }}' })],
      [['start', 'd'], ['d', 'b'], ['b', 'handled', 'error'], ['handled', 'end']],
    ),
  );
  await record('wait', graph([start, { id: 'w', type: 'wait', data: { duration: '100ms' } }, end({ ok: true })], [['start', 'w'], ['w', 'end']]));
  const child = await publish(graph([start, tpl('t', 'child-{{ start.x }}'), end({ t: '{{ t.text }}' })], [['start', 't'], ['t', 'end']], { x: { type: 'string', required: true } }));
  await record('sub-workflow', graph([start, { id: 'sub', type: 'sub-workflow', data: { workflowId: child, inputs: { x: 'y' } } }, end({ t: '{{ sub.t }}' })], [['start', 'sub'], ['sub', 'end']]));
  expect(fs.readdirSync(OUT).filter((f) => f.endsWith('.json')).length).toBeGreaterThanOrEqual(8);
});
