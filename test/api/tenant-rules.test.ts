import { helloGraph } from '../fixtures/graphs';
import { httpClient, publishGraph, resetDatabase, startHarness, type ApiClient, type Harness } from '../support/harness';

// Issue 7, items 8 (at the API boundary), 12, 15 and 16. No worker: runs here are started, never run.
let h: Harness;
let api: ApiClient;

beforeAll(async () => {
  h = await startHarness('tenant-rules');
  await resetDatabase(h.prisma);
  api = httpClient(h.url, await h.key('acme'));
});
afterAll(async () => {
  // Started runs have no worker; end their executions rather than leave them open on the server.
  for (const run of await h.prisma.run.findMany({ select: { temporalWorkflowId: true } })) {
    await h.temporal.workflow.getHandle(run.temporalWorkflowId).terminate('test over').catch(() => undefined);
  }
  await h.close();
});

describe('Idempotency-Key (item 12)', () => {
  it('returns the first run for the same request, and refuses the key for a different one', async () => {
    const id = await publishGraph(api, helloGraph(), 'first');
    const other = await publishGraph(api, helloGraph(), 'second');
    const headers = { 'Idempotency-Key': 'order-7' };
    const first = await api('POST', `/v1/workflows/${id}/runs`, { inputs: { name: 'A', times: 2 } }, headers);
    expect(first.status).toBe(202);

    // The same request (key order, mode and timeout do not make it another one) replays.
    const again = await api('POST', `/v1/workflows/${id}/runs`, { mode: 'async', inputs: { times: 2, name: 'A' } }, headers);
    expect(again.status).toBe(202);
    expect(again.body.data.id).toBe(first.body.data.id);
    expect(again.headers.get('idempotent-replayed')).toBe('true');

    for (const [path, body] of [
      [`/v1/workflows/${other}/runs`, { inputs: { name: 'A', times: 2 } }],
      [`/v1/workflows/${id}/runs`, { inputs: { name: 'B', times: 2 } }],
      [`/v1/workflows/${id}/runs`, { inputs: { name: 'A', times: 2 }, version: 1 }],
    ] as const) {
      const refused = await api('POST', path, body, headers);
      expect({ status: refused.status, code: refused.body.code }).toEqual({ status: 422, code: 'idempotency_key_reused' });
    }
    expect(await h.prisma.run.count({ where: { idempotencyKey: 'order-7' } })).toBe(1);
    // Another tenant's use of the same key is its own.
    const globex = httpClient(h.url, await h.key('globex'));
    const theirs = await publishGraph(globex, helloGraph(), 'theirs');
    expect((await globex('POST', `/v1/workflows/${theirs}/runs`, { inputs: { name: 'Z' } }, headers)).status).toBe(202);
  });

  it('still replays runs recorded before fingerprints existed', async () => {
    const id = await publishGraph(api, helloGraph(), 'legacy');
    const first = await api('POST', `/v1/workflows/${id}/runs`, { inputs: { name: 'A' } }, { 'Idempotency-Key': 'legacy-1' });
    await h.prisma.run.update({ where: { id: first.body.data.id }, data: { idempotencyFingerprint: null } });
    const again = await api('POST', `/v1/workflows/${id}/runs`, { inputs: { name: 'other' } }, { 'Idempotency-Key': 'legacy-1' });
    expect(again.body.data.id).toBe(first.body.data.id);
  });
});

describe('workflow name filter (item 15)', () => {
  it('matches %, _ and \\ as the characters they are', async () => {
    for (const name of ['100% done', 'a_b', 'aXb', 'back\\slash', 'plain']) {
      expect((await api('POST', '/v1/workflows', { name, graph: helloGraph() })).status).toBe(201);
    }
    const names = async (filter: string) =>
      ((await api('GET', `/v1/workflows?limit=100&name=${encodeURIComponent(filter)}`)).body.data as { name: string }[]).map((w) => w.name).sort();
    expect(await names('%')).toEqual(['100% done']);
    expect(await names('_')).toEqual(['a_b']);
    expect(await names('a_b')).toEqual(['a_b']);
    expect(await names('\\')).toEqual(['back\\slash']);
    expect(await names('PLAIN')).toEqual(['plain']);
  });
});

describe('running the draft (item 16)', () => {
  it('needs a developer or admin key; operators run published versions', async () => {
    const id = await publishGraph(api, helloGraph(), 'drafty');
    const operator = httpClient(h.url, await h.key('acme', 'operator'));
    const refused = await operator('POST', `/v1/workflows/${id}/runs`, { inputs: { name: 'x' }, version: 'draft' });
    expect({ status: refused.status, code: refused.body.code }).toEqual({ status: 403, code: 'forbidden' });
    expect((await operator('POST', `/v1/workflows/${id}/runs`, { inputs: { name: 'x' } })).status).toBe(202);
    const developer = httpClient(h.url, await h.key('acme', 'developer'));
    const draft = await developer('POST', `/v1/workflows/${id}/runs`, { inputs: { name: 'x' }, version: 'draft' });
    expect(draft.status).toBe(202);
    expect(draft.body.data.version).toBe('draft');
  });
});

describe('errors the API serves (item 8, at the boundary)', () => {
  const prismaText =
    '\nInvalid `prisma.nodeAttempt.create()` invocation in\n/work/main/packages/activities/dist/nodes/node-activities.js:52:30\n\n  51 \n→ 52     await prisma.nodeAttempt.create(\nForeign key constraint violated on the constraint: `node_attempts_run_id_fkey`';

  it('shows run, node and attempt errors with their code and plain words only', async () => {
    const id = await publishGraph(api, helloGraph(), 'broken');
    const started = await api('POST', `/v1/workflows/${id}/runs`, { inputs: { name: 'x' } });
    const runId = started.body.data.id as string;
    const run = await h.prisma.run.update({
      where: { id: runId },
      data: { status: 'failed', finishedAt: new Date(), error: { code: 'node_failed', message: prismaText, nodeId: 'greet' } },
    });
    await h.prisma.nodeExecution.create({
      data: { id: 'ne_1', tenantId: run.tenantId, runId, key: 'greet', seq: 1, nodeId: 'greet', type: 'template', status: 'failed', error: { code: 'P2003', message: prismaText }, startedAt: new Date(), finishedAt: new Date() },
    });
    await h.prisma.nodeAttempt.create({
      data: { id: 'att_1', tenantId: run.tenantId, runId, nodeKey: 'greet', attempt: 1, status: 'failed', error: { code: 'code_runtime_error', message: `boom\n    at x (/srv/app/dist/a.js:1:2)` }, startedAt: new Date() },
    });

    const read = await api('GET', `/v1/runs/${runId}`);
    expect(read.body.data.error).toEqual({ code: 'node_failed', message: 'Foreign key constraint violated', nodeId: 'greet' });
    const listed = await api('GET', `/v1/runs?workflowId=${id}`);
    expect(listed.body.data[0].error).toEqual(read.body.data.error);
    const nodes = await api('GET', `/v1/runs/${runId}/nodes`);
    expect(nodes.body.data[0].error).toEqual({ code: 'internal_error', message: 'Foreign key constraint violated' });
    expect(nodes.body.data[0].attempts[0].error).toEqual({ code: 'code_runtime_error', message: 'boom' });
    expect(JSON.stringify([read.body, nodes.body])).not.toMatch(/prisma|invocation|_fkey|\/work\/|\/srv\/|node-activities/);
  });
});
