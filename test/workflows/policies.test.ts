import { fakeExecutors } from '../support/fake-executors';
import { body, code, end, graph, start, startAt, tpl } from '../support/graph-builder';
import { eventually, publishGraph, runGraph, useSuiteHarness } from '../support/harness';

const suite = useSuiteHarness('policies', fakeExecutors());

const publish = (g: unknown) => publishGraph(suite.api, g);

const run = (g: unknown, inputs: Record<string, unknown> = {}) => runGraph(suite.api, g, inputs);

const http = (id: string, failTimes: number, extra: Record<string, unknown> = {}) => ({
  id,
  type: 'http-request',
  data: { method: 'GET', url: `http://api.invalid/data?failTimes=${failTimes}` },
  retry: { maxAttempts: 1, initialInterval: '100ms' },
  ...extra,
});

describe('onError', () => {
  const failing = (onError?: string) => code('risky', { fail: 'kaput' }, onError ? { onError, ...(onError === 'default' ? { default: { value: 'fallback' } } : {}) } : {});

  it('"fail" fails the run with the node error', async () => {
    const { run: r, nodes } = await run(graph([start, failing(), end({ v: '{{ risky.value }}' })], [['start', 'risky'], ['risky', 'end']]));
    expect(r.status).toBe('failed');
    expect(r.error).toMatchObject({ code: 'code_runtime_error', message: 'kaput', nodeId: 'risky' });
    expect(nodes.find((n) => n.key === 'risky')).toMatchObject({ status: 'failed', error: { code: 'code_runtime_error' } });
  });

  it('"default" succeeds with the default outputs and the run is partially-succeeded', async () => {
    const { run: r, nodes } = await run(graph([start, failing('default'), end({ v: '{{ risky.value }}' })], [['start', 'risky'], ['risky', 'end']]));
    expect(r.status).toBe('partially-succeeded');
    expect(r.outputs).toEqual({ v: 'fallback' });
    expect(nodes.find((n) => n.key === 'risky')).toMatchObject({ status: 'defaulted', outputs: { value: 'fallback' } });
  });

  it('"branch" takes the error handle with the error code and message set', async () => {
    const g = graph(
      [start, failing('branch'), tpl('ok', 'fine'), tpl('oops', '{{ risky.error.code }}: {{ risky.error.message }}'), end({ ok: '{{ ok.text }}', oops: '{{ oops.text }}' })],
      [['start', 'risky'], ['risky', 'ok'], ['risky', 'oops', 'error'], ['ok', 'end'], ['oops', 'end']],
    );
    const { run: r, nodes } = await run(g);
    expect(r.status).toBe('succeeded');
    expect(r.outputs).toEqual({ ok: null, oops: 'code_runtime_error: kaput' });
    expect(nodes.find((n) => n.key === 'ok').status).toBe('skipped');
  });
});

describe('retry', () => {
  it('retries by the node policy and lists every attempt', async () => {
    const { run: r, nodes } = await run(graph([start, http('fetch', 2, { retry: { maxAttempts: 3, initialInterval: '100ms' } }), end({ a: '{{ fetch.json.attempt }}' })], [['start', 'fetch'], ['fetch', 'end']]));
    expect(r.outputs).toEqual({ a: 3 });
    const fetch = nodes.find((n) => n.key === 'fetch');
    expect(fetch.attempts.map((a: { attempt: number; status: string }) => [a.attempt, a.status])).toEqual([[1, 'failed'], [2, 'failed'], [3, 'succeeded']]);
    expect(fetch.attempts[0].error).toMatchObject({ code: 'http_status_503' });
  });

  it('gives up after maxAttempts', async () => {
    const { run: r, nodes } = await run(graph([start, http('fetch', 5, { retry: { maxAttempts: 2, initialInterval: '100ms' } }), end({})], [['start', 'fetch'], ['fetch', 'end']]));
    expect(r.status).toBe('failed');
    expect(r.error.code).toBe('http_status_503');
    expect(nodes.find((n) => n.key === 'fetch').attempts).toHaveLength(2);
  });
});

describe('sub-workflow', () => {
  it('runs a published workflow as a child with its pinned version', async () => {
    const childId = await publish(graph([start, tpl('shout', '{{ start.word | upcase }}!'), end({ loud: '{{ shout.text }}' })], [['start', 'shout'], ['shout', 'end']], { word: { type: 'string', required: true } }));
    const parent = graph(
      [start, { id: 'child', type: 'sub-workflow', data: { workflowId: childId, version: 1, inputs: { word: '{{ start.w }}' } } }, end({ got: '{{ child.loud }}' })],
      [['start', 'child'], ['child', 'end']],
      { w: { type: 'string', required: true } },
    );
    const { run: r } = await run(parent, { w: 'hey' });
    expect(r.outputs).toEqual({ got: 'HEY!' });
    const children = await suite.h.temporal.workflow.list({ query: `WorkflowId STARTS_WITH "weft-${r.id}/"` });
    const found: string[] = [];
    for await (const c of children) found.push(c.workflowId);
    expect(found).toEqual([`weft-${r.id}/child`]);
  });
});

describe('history', () => {
  it('pure nodes add no activity events', async () => {
    const pure = (n: number) =>
      graph(
        [start, ...Array.from({ length: n }, (_, i) => tpl(`t${i}`, `{{ start.x }}${i}`)), end({ last: n ? `{{ t${n - 1}.text }}` : 'none' })],
        n ? [['start', 't0'], ...Array.from({ length: n - 1 }, (_, i) => [`t${i}`, `t${i + 1}`] as [string, string]), [`t${n - 1}`, 'end']] : [['start', 'end']],
        { x: { type: 'string', default: 'x' } },
      );
    const count = async (n: number) => {
      const { run: r } = await run(pure(n));
      const history = await suite.h.temporal.workflow.getHandle(r.temporal.workflowId).fetchHistory();
      const events = history.events!;
      return {
        activities: events.filter((e) => e.activityTaskScheduledEventAttributes).length,
        markers: events.filter((e) => e.markerRecordedEventAttributes).length,
      };
    };
    expect(await count(10)).toEqual(await count(0));
    // The run record is written by local activities; a graph that never waits writes its start with
    // its end, in one of them: one marker.
    expect(await count(0)).toEqual({ activities: 0, markers: 1 });
  });

  it('continues-as-new with the variable pool and container progress intact', async () => {
    // Each pass runs an activity; the test server suggests continue-as-new after 40 events.
    const g = graph(
      [
        start,
        tpl('before', 'kept-{{ start.tag }}'),
        {
          id: 'grind',
          type: 'loop',
          data: {
            variables: { total: 0 },
            maxIterations: 12,
            graph: body(
              [startAt('s1'), code('step', { value: '{{ grind.index }}' }), { id: 'add', type: 'assign', data: { assignments: [{ variable: 'total', op: 'increment', value: '{{ step.value }}' }] } }, end({}, 'e1')],
              [['s1', 'step'], ['step', 'add'], ['add', 'e1']],
            ),
          },
        },
        end({ before: '{{ before.text }}', total: '{{ grind.variables.total }}', passes: '{{ grind.iterations }}' }),
      ],
      [['start', 'before'], ['before', 'grind'], ['grind', 'end']],
      { tag: { type: 'string', default: 't' } },
    );
    const { run: r, nodes } = await run(g);
    expect(r.outputs).toEqual({ before: 'kept-t', total: 66, passes: 12 });
    expect(nodes.filter((n) => n.nodeId === 'step').map((n) => n.loopIndex)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    // More than one execution behind one run id.
    const executions: string[] = [];
    for await (const e of suite.h.temporal.workflow.list({ query: `WorkflowId = "${r.temporal.workflowId}"` })) executions.push(e.status.name);
    expect(executions.length).toBeGreaterThan(1);
    expect(executions.filter((s) => s === 'CONTINUED_AS_NEW').length).toBe(executions.length - 1);
  });

  it('keeps large outputs out of history and still serves and uses them', async () => {
    const size = 600_000;
    const g = graph(
      [start, http('big', 0, { data: { method: 'GET', url: `http://api.invalid/big?bigBody=${size}` } }), tpl('measure', '{{ big.body | size }}'), end({ size: '{{ measure.text }}', status: '{{ big.status }}' })],
      [['start', 'big'], ['big', 'measure'], ['measure', 'end']],
    );
    const { run: r, nodes } = await run(g);
    expect(r.outputs).toEqual({ size: String(size), status: 200 });
    expect(nodes.find((n) => n.key === 'big').outputs.body).toHaveLength(size);
    const history = await suite.h.temporal.workflow.getHandle(r.temporal.workflowId).fetchHistory();
    expect(JSON.stringify(history).length).toBeLessThan(size);
  });
});

describe('versions', () => {
  it('a publish during a running run does not change it', async () => {
    const v = (word: string) => graph([start, { id: 'pause', type: 'wait', data: { duration: '1500ms' } }, tpl('say', word), end({ said: '{{ say.text }}' })], [['start', 'pause'], ['pause', 'say'], ['say', 'end']]);
    const id = await publish(v('one'));
    const started = await suite.api('POST', `/v1/workflows/${id}/runs`, { inputs: {} });
    await suite.api('PUT', `/v1/workflows/${id}/draft`, { graph: v('two') });
    expect((await suite.api('POST', `/v1/workflows/${id}/publish`)).body.data.version).toBe(2);
    const done = await eventually(async () => {
      const r = await suite.api('GET', `/v1/runs/${started.body.data.id}`);
      return r.body.data.status === 'succeeded' && r.body.data;
    });
    expect(done).toMatchObject({ version: 1, outputs: { said: 'one' } });
  });
});
