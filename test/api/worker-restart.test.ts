import { helloGraph } from '../fixtures/graphs';
import { eventually, httpClient, resetDatabase, startHarness, type Harness } from '../support/harness';

let h: Harness;

beforeAll(async () => {
  h = await startHarness('restart');
  await resetDatabase(h.prisma);
});
afterAll(async () => {
  await h.close();
});

it('a run survives a restart of the worker while a wait node holds it', async () => {
  const api = httpClient(h.url, await h.key('acme'));
  let worker = await h.startWorker();
  const created = await api('POST', '/v1/workflows', { name: 'durable', graph: helloGraph('3s') });
  const id = created.body.data.id;
  await api('POST', `/v1/workflows/${id}/publish`);
  const started = await api('POST', `/v1/workflows/${id}/runs`, { inputs: { name: 'Grace' } });
  const runId = started.body.data.id;

  // Wait until the run is parked on the wait node's durable timer.
  const handle = h.temporal.workflow.getHandle(`weft-${runId}`);
  await eventually(async () => {
    const history = await handle.fetchHistory();
    return history.events?.some((e) => e.timerStartedEventAttributes) ?? false;
  });
  await worker.stop();
  expect((await api('GET', `/v1/runs/${runId}`)).body.data.status).toBe('running');

  // The timer fires while no worker runs; the run waits, then completes on a new worker.
  await new Promise((r) => setTimeout(r, 3_500));
  expect((await api('GET', `/v1/runs/${runId}`)).body.data.status).toBe('running');
  worker = await h.startWorker();
  const run = await eventually(async () => {
    const r = await api('GET', `/v1/runs/${runId}`);
    return r.body.data.status === 'succeeded' && r.body.data;
  });
  expect(run.outputs.greeting).toBe('Hello, Grace x1');
  const history = await handle.fetchHistory();
  expect(history.events?.filter((e) => e.timerFiredEventAttributes)).toHaveLength(1);
  await worker.stop();
});
