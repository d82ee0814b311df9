import { helloGraph } from '../fixtures/graphs';
import { startCutProxy } from '../support/cut-proxy';
import { httpClient, publishGraph, resetDatabase, startHarness } from '../support/harness';
import { testEnv } from '../support/test-env';

// Issue 7, item 9: a database outage while a run's sub-workflows are resolved answered
// 422 sub_workflow_not_found, telling the client its request was wrong when it was not.
it('answers 503 database_unavailable when the database goes away while sub-workflows are resolved', async () => {
  const db = new URL(testEnv.databaseUrl);
  const proxy = await startCutProxy({ host: db.hostname, port: Number(db.port || 5432) });
  const viaProxy = new URL(testEnv.databaseUrl);
  viaProxy.host = `127.0.0.1:${proxy.port}`;
  const h = await startHarness('subwf-outage', { DATABASE_URL: viaProxy.toString() });
  try {
    await resetDatabase(h.prisma);
    const api = httpClient(h.url, await h.key('acme'));
    const childId = await publishGraph(api, helloGraph(), 'child');
    const parent = {
      dsl: 'weft/v1',
      inputs: {},
      nodes: [
        { id: 'start', type: 'start' },
        { id: 'call', type: 'sub-workflow', data: { workflowId: childId, inputs: { name: 'x' } } },
        { id: 'done', type: 'end', data: { outputs: {} } },
      ],
      edges: [
        { source: 'start', target: 'call' },
        { source: 'call', target: 'done' },
      ],
    };
    const parentId = await publishGraph(api, parent, 'parent');
    const missing = await publishGraph(api, { ...parent, nodes: [parent.nodes[0], { ...parent.nodes[1], data: { workflowId: 'wf_nowhere' } }, parent.nodes[2]] }, 'orphan');

    // A child that is not there is the tenant's problem: 422.
    const orphan = await api('POST', `/v1/workflows/${missing}/runs`, {});
    expect({ status: orphan.status, code: orphan.body.code }).toEqual({ status: 422, code: 'sub_workflow_not_found' });

    // The child's id is sent to PostgreSQL first when the parent's sub-workflows are resolved.
    proxy.cutWhenSent(childId);
    const r = await api('POST', `/v1/workflows/${parentId}/runs`, {});
    expect(proxy.down).toBe(true);
    expect({ status: r.status, code: r.body.code }).toEqual({ status: 503, code: 'database_unavailable' });
    expect(JSON.stringify(r.body)).not.toMatch(/prisma|invocation|ECONN|127\.0\.0\.1/i);
  } finally {
    await h.close().catch(() => undefined);
    await proxy.close();
  }
});
