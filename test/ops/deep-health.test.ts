import { closeSharedDocumentParser, parseDocument, splitDocument } from '@weft/activities';
import { eventually, httpClient, startHarness, type Harness } from '../support/harness';

/** GET /health/deep against the real stack: dependencies with their latency, and the task queues' pollers. */
describe('/health/deep', () => {
  let h: Harness;
  const get = (path: string) => httpClient(h.url)('GET', path);

  beforeAll(async () => {
    h = await startHarness('deep-health');
  });

  afterAll(async () => {
    await h?.close();
    await closeSharedDocumentParser();
  });

  it('answers 503 naming the task queues no worker polls, while every dependency is up (and ready stays 200)', async () => {
    // The harness's connections open on first use: on a loaded machine the very first probe can
    // miss its 2 s budget while a pool connects. The task queues are the subject here, so wait
    // (bounded) for the dependencies to answer once.
    const deep = await eventually(async () => {
      const r = await get('/health/deep');
      return r.body?.down?.length === 0 && r;
    }, 20_000);
    expect(deep.status).toBe(503);
    expect(deep.body).toMatchObject({
      status: 'unavailable',
      down: [],
      unpolled: ['runs', 'ingestion'],
      taskQueues: {
        runs: { name: h.taskQueue, status: 'unpolled', workflowPollers: 0, activityPollers: 0 },
        ingestion: { name: h.ingestionTaskQueue, status: 'unpolled', workflowPollers: 0, activityPollers: 0 },
      },
    });
    for (const dependency of ['postgres', 'redis', 'temporal', 'milvus']) {
      expect([dependency, deep.body.dependencies[dependency]]).toEqual([dependency, { status: 'up', latencyMs: expect.any(Number) }]);
      expect(deep.body.dependencies[dependency].latencyMs).toBeGreaterThanOrEqual(0);
    }
    expect((await get('/health/ready')).status).toBe(200);
  });

  it('answers 200 once a worker polls the runs and the ingestion task queues', async () => {
    const worker = await h.startWorker(undefined, { ingestion: { parse: parseDocument, split: splitDocument } });
    try {
      const deep = await eventually(async () => {
        const r = await get('/health/deep');
        return r.status === 200 && r;
      });
      expect(deep.body).toMatchObject({ status: 'ok', down: [], unpolled: [], taskQueues: { runs: { status: 'polled' }, ingestion: { status: 'polled' } } });
      for (const queue of ['runs', 'ingestion']) {
        expect(deep.body.taskQueues[queue].workflowPollers).toBeGreaterThan(0);
        expect(deep.body.taskQueues[queue].activityPollers).toBeGreaterThan(0);
      }
    } finally {
      await worker.stop();
    }
  });
});
