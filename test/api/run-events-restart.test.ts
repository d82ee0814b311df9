/**
 * A client that leaves a run's event stream after event k and comes back with Last-Event-ID: k gets
 * exactly the events after k, although in between the worker process was replaced and the run
 * waited for an approval, decided through the Temporal Update, and was paused and resumed; a client
 * that stayed connected the whole time saw the same events, in one stream that stayed open
 * across all of it.
 */
import { DECIDE_APPROVAL_UPDATE, type ApprovalDecisionRequest } from '@weft/domain';
import { end, graph, start, tpl } from '../support/graph-builder';
import { eventually, httpClient, publishGraph, resetDatabase, startHarness, type Harness } from '../support/harness';
import { openEvents, type SseEvent } from '../support/sse-client';
import { spawnWorker, type WorkerProcess } from '../support/worker-process';

let h: Harness;
let worker: WorkerProcess | undefined;

beforeAll(async () => {
  h = await startHarness('events-restart', { WEFT_SSE_PING_MS: '300' });
  await resetDatabase(h.prisma);
}, 120_000);
afterAll(async () => {
  await worker?.stop();
  await h?.close();
});

it('resumes after Last-Event-ID across a worker restart, an approval and a pause, with no gap and no duplicate', async () => {
  const key = await h.key('acme');
  const api = httpClient(h.url, key);
  const g = graph(
    [
      start,
      tpl('prep', 'Ship {{ start.what }}?'),
      { id: 'review', type: 'approval', data: { prompt: '{{ prep.text }}', timeout: '1h', fields: { note: { type: 'text' } } } },
      { id: 'settle', type: 'wait', data: { duration: '2s' } },
      tpl('after', '{{ review.action }}: {{ review.values.note }}'),
      end({ said: '{{ after.text }}' }),
    ],
    [['start', 'prep'], ['prep', 'review'], ['review', 'settle', 'approve'], ['settle', 'after'], ['after', 'end']],
    { what: { type: 'string', default: 'v2' } },
  );
  const workflowId = await publishGraph(api, g);
  worker = await spawnWorker(h.taskQueue);
  const started = await api('POST', `/v1/workflows/${workflowId}/runs`, { inputs: {} });
  const runId = started.body.data.id as string;

  // One client stays connected from the start to the end.
  const stayed = await openEvents(h.url, runId, key);
  // Another reads up to the approval request, then goes away.
  const left = await openEvents(h.url, runId, key);
  const firstPart = await left.collect((e) => e.event === 'approval.requested');
  left.close();
  const k = firstPart.at(-1)!.id!;
  const approvalId = firstPart.at(-1)!.data.approvalId as string;

  // The worker is replaced while the run waits for a person.
  await worker.stop();
  worker = await spawnWorker(h.taskQueue);
  const handle = h.temporal.workflow.getHandle(started.body.data.temporal.workflowId);
  await handle.executeUpdate<unknown, [ApprovalDecisionRequest]>(DECIDE_APPROVAL_UPDATE, {
    args: [{ approvalId, action: 'approve', values: { note: 'looks good' }, actor: { kind: 'api-key', id: 'test', role: 'admin' } }],
  });
  // The run is paused, the client comes back meanwhile, then the run resumes.
  await eventually(async () => (await h.prisma.approval.findUniqueOrThrow({ where: { id: approvalId } })).status === 'decided', 30_000, 50);
  expect((await api('POST', `/v1/runs/${runId}/pause`)).body.data.status).toBe('paused');
  const back = await openEvents(h.url, runId, key, { lastEventId: k });
  const whilePaused = await back.collect((e) => e.event === 'run.paused');
  expect((await api('POST', `/v1/runs/${runId}/resume`)).status).toBe(200);
  const rest = [...whilePaused, ...(await back.collect((e) => e.event === 'run.finished'))];
  await back.ended;
  const whole = await stayed.collect((e) => e.event === 'run.finished');
  await stayed.ended;

  expect(new Set(whole.map((e) => e.id)).size).toBe(whole.length);
  expect([...firstPart, ...rest]).toEqual(whole);
  const types = (events: SseEvent[]) => events.map((e) => (e.event.startsWith('node.') ? `${e.event}:${e.data.nodeId}` : e.event));
  expect(types(firstPart)).toEqual(['run.started', 'node.started:start', 'node.finished:start', 'node.started:prep', 'node.finished:prep', 'node.started:review', 'approval.requested']);
  expect(types(rest)).toEqual(expect.arrayContaining(['approval.decided', 'node.finished:review', 'node.started:settle', 'node.finished:settle', 'run.paused', 'run.resumed', 'node.started:after', 'node.finished:after', 'run.finished']));
  expect(types(rest).indexOf('approval.decided')).toBeLessThan(types(rest).indexOf('node.finished:review'));
  expect(types(rest).indexOf('run.paused')).toBeLessThan(types(rest).indexOf('run.resumed'));
  expect(types(rest).indexOf('run.resumed')).toBeLessThan(types(rest).indexOf('node.started:after'));
  expect(rest.at(-1)!.data).toMatchObject({ runId, status: 'succeeded', outputs: { said: 'approve: looks good' } });
  // The stream that stayed open pinged while the run waited for the decision.
  expect(stayed.pings.length).toBeGreaterThan(0);
}, 180_000);
