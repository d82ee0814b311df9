/**
 * GET /v1/runs/:id/history against the real stack: a continue-as-new chain read page by page,
 * payloads decoded, tenant secrets masked, other tenants refused; the run's Temporal UI link; and
 * the search attributes the `temporal` CLI finds a tenant's runs by.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { fakeExecutors } from '../support/fake-executors';
import { body, code, end, graph, start, startAt } from '../support/graph-builder';
import { eventually, httpClient, publishGraph, runGraph, useSuiteHarness } from '../support/harness';
import { testEnv } from '../support/test-env';

const suite = useSuiteHarness('history', fakeExecutors());
const TEMPORAL = path.join(__dirname, '..', '..', '.tools', 'bin', 'temporal');

/** Ten loop passes with an activity each: past the test server's continue-as-new threshold (40 events). */
const chain = graph(
  [
    start,
    {
      id: 'l',
      type: 'loop',
      data: {
        variables: { t: 0 },
        maxIterations: 10,
        graph: body(
          [startAt('s1'), code('s', { value: '{{ l.index }}' }), { id: 'add', type: 'assign', data: { assignments: [{ variable: 't', op: 'increment', value: '{{ s.value }}' }] } }, end({}, 'e1')],
          [['s1', 's'], ['s', 'add'], ['add', 'e1']],
        ),
      },
    },
    end({ t: '{{ l.variables.t }}', note: '{{ start.note }}' }),
  ],
  [['start', 'l'], ['l', 'end']],
  { note: { type: 'string', required: true } },
);

type Page = { events: { execution: string; eventId: number; eventType: string; [k: string]: any }[]; next: string | null };

describe('raw run history', () => {
  const secret = `hunter2-${Date.now()}-do-not-show`;
  let run: any;
  let pages: Page[];

  beforeAll(async () => {
    expect((await suite.api('PUT', '/v1/secrets/DB_PASSWORD', { value: secret })).status).toBe(200);
    // A user who pasted a secret's value into the inputs: it is in history as they sent it.
    ({ run } = await runGraph(suite.api, chain, { note: `the password is ${secret}` }));
    expect(run.status).toBe('succeeded');
    pages = [];
    let cursor: string | null = '';
    while (cursor !== null) {
      const res = await suite.api('GET', `/v1/runs/${run.id}/history?limit=25${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(res.status).toBe(200);
      pages.push(res.body.data);
      cursor = res.body.data.next;
      expect(pages.length).toBeLessThan(100);
    }
  });

  it('is every execution of the continue-as-new chain, oldest first, page by page, each event once', async () => {
    const events = pages.flatMap((p) => p.events);
    for (const p of pages) expect(p.events.length).toBeLessThanOrEqual(25);
    expect(pages.length).toBeGreaterThan(2);
    const executions = [...new Set(events.map((e) => e.execution))];
    expect(executions.length).toBeGreaterThanOrEqual(2);
    // The same events Temporal holds, execution by execution.
    for (const [i, execution] of executions.entries()) {
      const mine = events.filter((e) => e.execution === execution);
      const theirs = await suite.h.temporal.workflow.getHandle(run.temporal.workflowId, execution).fetchHistory();
      expect(mine.map((e) => e.eventId)).toEqual(theirs.events!.map((e) => Number(e.eventId)));
      expect(mine[0]!.eventType).toBe('EVENT_TYPE_WORKFLOW_EXECUTION_STARTED');
      expect(mine.at(-1)!.eventType).toBe(i < executions.length - 1 ? 'EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW' : 'EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED');
      if (i < executions.length - 1) expect(mine.at(-1)!.workflowExecutionContinuedAsNewEventAttributes.newExecutionRunId).toBe(executions[i + 1]);
    }
    expect(events.at(-1)!.workflowExecutionCompletedEventAttributes.result.payloads[0]).toMatchObject({ status: 'succeeded', outputs: { t: 45 } });
  });

  it('decodes payloads to JSON and masks the tenant’s secret values', () => {
    const started = pages[0]!.events[0]!;
    const input = started.workflowExecutionStartedEventAttributes.input.payloads[0];
    expect(input).toMatchObject({ runId: run.id, tenantId: expect.any(String), graph: { dsl: 'weft/v1' }, inputs: { note: 'the password is [secret]' } });
    expect(started.workflowExecutionStartedEventAttributes.searchAttributes.indexedFields).toMatchObject({ WeftRunStatus: 'running', WeftWorkflowId: run.workflowId });
    const scheduled = pages.flatMap((p) => p.events).find((e) => e.eventType === 'EVENT_TYPE_ACTIVITY_TASK_SCHEDULED' && e.activityTaskScheduledEventAttributes.activityType.name === 'nodeCode')!;
    expect(scheduled.activityTaskScheduledEventAttributes.input.payloads[0]).toMatchObject({ runId: run.id, node: { nodeId: 's', type: 'code' } });
    const all = JSON.stringify(pages);
    expect(all).not.toContain(secret);
    expect(all).toContain('[secret]');
    // Payloads are values, not base64 payload objects.
    expect(all).not.toContain('"encoding"');
  });

  it("links the run to its first execution in the Temporal Web UI", () => {
    const first = pages[0]!.events[0]!.execution;
    expect(run.temporal.runId).toBe(first);
    expect(run.temporal.uiUrl).toBe(`http://127.0.0.1:8233/namespaces/default/workflows/${encodeURIComponent(run.temporal.workflowId)}/${first}/history`);
  });

  it('answers 404 for another tenant’s run and 400 for a cursor it did not give out', async () => {
    const other = httpClient(suite.h.url, await suite.h.key('globex'));
    expect((await other('GET', `/v1/runs/${run.id}/history`)).body.code).toBe('run_not_found');
    const garbage = await suite.api('GET', `/v1/runs/${run.id}/history?cursor=not-a-cursor`);
    expect([garbage.status, garbage.body.code, garbage.body.details.issues[0].path]).toEqual([400, 'malformed_request', ['query', 'cursor']]);
    // Not base64url at all: refused by the query's schema, which also keeps a long non-ASCII cursor from outgrowing the header limit (431).
    const euro = await suite.api('GET', `/v1/runs/${run.id}/history?cursor=${encodeURIComponent('€'.repeat(1_500))}`);
    expect([euro.status, euro.body.details.issues[0].path]).toEqual([400, ['query', 'cursor']]);
    const foreign = Buffer.from(JSON.stringify({ r: '01a215bc-0000-7000-8000-000000000000', e: 0 })).toString('base64url');
    expect((await suite.api('GET', `/v1/runs/${run.id}/history?cursor=${foreign}`)).status).toBe(400);
    const token = Buffer.from(JSON.stringify({ r: pages[0]!.events[0]!.execution, e: 3, t: 'bm90LWEtdG9rZW4' })).toString('base64url');
    expect((await suite.api('GET', `/v1/runs/${run.id}/history?cursor=${token}`)).status).toBe(400);
  });

  it('finds a tenant’s running runs with the temporal CLI through the search attributes', async () => {
    const id = await publishGraph(suite.api, graph([start, { id: 'w', type: 'wait', data: { duration: '1h' } }, end({})], [['start', 'w'], ['w', 'end']]));
    const started = await suite.api('POST', `/v1/workflows/${id}/runs`, { inputs: {} });
    const parked = started.body.data;
    const tenantId = (await suite.h.prisma.run.findFirstOrThrow({ where: { id: parked.id } })).tenantId;
    try {
      const list = async (query: string) => {
        const { stdout } = await promisify(execFile)(TEMPORAL, ['workflow', 'list', '--address', testEnv.temporalAddress, '--query', query, '--output', 'json']);
        return stdout.trim() ? (JSON.parse(stdout) as { execution: { workflowId: string } }[]).map((w) => w.execution.workflowId) : [];
      };
      const running = await eventually(async () => {
        const ids = await list(`WeftTenantId='${tenantId}' AND WeftRunStatus='running'`);
        return ids.includes(parked.temporal.workflowId) && ids;
      }, 20_000, 250);
      // The API sets 'running' at start; the workflow sets the status on each change and at its end.
      // An execution that continued as new keeps the status it had then: ExecutionStatus leaves it out.
      expect(await list(`WeftTenantId='${tenantId}' AND WeftRunStatus='running' AND ExecutionStatus='Running'`)).toEqual([parked.temporal.workflowId]);
      expect(running).toContain(parked.temporal.workflowId);
      await eventually(async () => (await list(`WeftTenantId='${tenantId}' AND WeftRunStatus='succeeded'`)).includes(run.temporal.workflowId), 20_000, 250);
      expect(await list(`WeftTenantId='no-such-tenant' AND WeftRunStatus='running'`)).toEqual([]);
    } finally {
      await suite.h.temporal.workflow.getHandle(parked.temporal.workflowId).terminate('test done');
    }
  });
});
