import { temporalWorkflowIdFor } from '@weft/domain';
import { runEnd, startRun } from '../support/hostile-stack';
import { eventually, httpClient, publishGraph, resetDatabase, startHarness, type Harness } from '../support/harness';
import { startOwnTemporal, type OwnTemporal } from '../support/own-temporal';
import { uniqueTaskQueue } from '../support/test-env';
import { spawnWorker, type WorkerProcess } from '../support/worker-process';

/** start → a template → an approval with one field → end, which reports the decision. */
const approvalGraph = {
  dsl: 'weft/v1',
  inputs: { name: { type: 'string', required: true } },
  nodes: [
    { id: 'start', type: 'start' },
    { id: 'greet', type: 'template', data: { template: 'Hello, {{ start.name }}' } },
    { id: 'gate', type: 'approval', data: { prompt: 'Send "{{ greet.text }}"?', fields: { note: { type: 'text', required: true } }, timeout: '1h' } },
    { id: 'end', type: 'end', data: { outputs: { greeting: '{{ greet.text }}', action: '{{ gate.action }}', note: '{{ gate.values.note }}' } } },
  ],
  edges: [
    { source: 'start', target: 'greet' },
    { source: 'greet', target: 'gate' },
    { source: 'gate', target: 'end', sourceHandle: 'approve' },
  ],
};

let temporal: OwnTemporal | undefined;
let h: Harness | undefined;
let worker: WorkerProcess | undefined;

afterAll(async () => {
  await worker?.stop();
  await h?.close();
  await temporal?.stop();
});

// The whole deployment goes away while a run waits for a person: the worker, the API and the
// Temporal server (its SQLite file kept). The run is still there, still waiting, and completes
// once approved, without running what it ran before the approval again.
it('a run parked at an approval survives a restart of the worker, the API and Temporal, and completes when approved', async () => {
  temporal = await startOwnTemporal('drill');
  const taskQueue = uniqueTaskQueue('drill');
  const env = { TEMPORAL_ADDRESS: temporal.address, TEMPORAL_TASK_QUEUE: taskQueue };
  h = await startHarness('drill', env);
  await resetDatabase(h.prisma);
  const key = await h.key('acme');
  let api = httpClient(h.url, key);
  worker = await spawnWorker(taskQueue, env);

  const workflowId = await publishGraph(api, approvalGraph, 'drill');
  const runId = await startRun(api, workflowId, { name: 'Grace' });
  const pending = async () => (await api('GET', `/v1/approvals?status=pending&runId=${runId}`)).body.data as { id: string }[];
  const [approval] = await eventually(async () => (await pending()).length === 1 && pending());
  expect((await api('GET', `/v1/runs/${runId}`)).body.data.status).toBe('waiting');

  await worker.stop();
  await h.close();
  await temporal.restart();
  h = await startHarness('drill', env);
  api = httpClient(h.url, key);
  worker = await spawnWorker(taskQueue, env);

  // Still parked, the same approval open, and decided through the API once everything is back.
  expect((await api('GET', `/v1/runs/${runId}`)).body.data.status).toBe('waiting');
  expect((await pending()).map((a) => a.id)).toEqual([approval!.id]);
  const decided = await api('POST', `/v1/approvals/${approval!.id}`, { action: 'approve', values: { note: 'ship it' } });
  expect({ status: decided.status, approval: decided.body.data.status }).toEqual({ status: 200, approval: 'decided' });
  const run = await runEnd(api, runId);
  expect(run.status).toBe('succeeded');
  expect(run.outputs).toEqual({ greeting: 'Hello, Grace', action: 'approve', note: 'ship it' });
  expect(await pending()).toEqual([]);

  // One execution, the template run once, the decision recorded once.
  const events = (await h.temporal.workflow.getHandle(temporalWorkflowIdFor(runId)).fetchHistory()).events ?? [];
  expect(events.filter((e) => e.workflowExecutionStartedEventAttributes)).toHaveLength(1);
  expect(events.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes)).toHaveLength(1);
  const nodes = (await api('GET', `/v1/runs/${runId}/nodes`)).body.data as any[];
  expect(nodes.filter((n) => n.nodeId === 'greet')).toHaveLength(1);
  expect(worker.alive()).toBe(true);
}, 240_000);
