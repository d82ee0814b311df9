import { helloGraph } from '../fixtures/graphs';
import { end, graph, start, tpl } from '../support/graph-builder';
import { eventually, httpClient, resetDatabase, startHarness, type Harness } from '../support/harness';

let h: Harness;
let stopWorker: () => Promise<void>;
let api: ReturnType<typeof httpClient>;

beforeAll(async () => {
  h = await startHarness('api');
  stopWorker = (await h.startWorker()).stop;
});
afterAll(async () => {
  await stopWorker();
  await h.close();
});
beforeEach(async () => {
  await resetDatabase(h.prisma);
  api = httpClient(h.url, await h.key('acme'));
});

async function publishedHello(wait?: string): Promise<string> {
  const created = await api('POST', '/v1/workflows', { name: 'hello', graph: helloGraph(wait) });
  expect(created.status).toBe(201);
  const published = await api('POST', `/v1/workflows/${created.body.data.id}/publish`);
  expect(published.status).toBe(201);
  expect(published.body.data.version).toBe(1);
  return created.body.data.id;
}

describe('workflows and runs over HTTP', () => {
  it('creates, publishes, runs asynchronously and reads the finished run', async () => {
    const created = await api('POST', '/v1/workflows', { name: 'hello', description: 'demo', graph: helloGraph() });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ code: 'success', data: { name: 'hello', latestVersion: null }, meta: { request_id: expect.any(String) } });
    const id = created.body.data.id;
    expect((await api('GET', `/v1/workflows/${id}`)).body.data.draft).toEqual(helloGraph());

    expect((await api('POST', `/v1/workflows/${id}/publish`)).body.data).toMatchObject({ version: 1, workflowId: id });
    expect((await api('GET', `/v1/workflows/${id}`)).body.data.latestVersion).toBe(1);

    const started = await api('POST', `/v1/workflows/${id}/runs`, { inputs: { name: 'Ada' } });
    expect(started.status).toBe(202);
    const runId = started.body.data.id;
    expect(started.headers.get('location')).toBe(`/v1/runs/${runId}`);
    expect(['queued', 'running']).toContain(started.body.data.status);

    const run = await eventually(async () => {
      const r = await api('GET', `/v1/runs/${runId}`);
      return r.body.data.status === 'succeeded' && r.body.data;
    });
    expect(run).toMatchObject({
      workflowId: id,
      version: 1,
      inputs: { name: 'Ada', times: 1 },
      outputs: { greeting: 'Hello, Ada x1', times: 1, run: runId },
      error: null,
      temporal: { workflowId: `weft-${runId}`, runId: expect.any(String) },
    });
    expect(run.temporal.uiUrl).toBe(`http://127.0.0.1:8233/namespaces/default/workflows/weft-${runId}/${run.temporal.runId}/history`);
    expect(Date.parse(run.finishedAt)).toBeGreaterThanOrEqual(Date.parse(run.startedAt));

    // The Temporal execution carries the tenant and workflow search attributes.
    const description = await h.temporal.workflow.getHandle(`weft-${runId}`).describe();
    expect(description.searchAttributes).toMatchObject({ WeftWorkflowId: [id] });

    // The run's event stream in Redis has its start, a start and an end per node, and its end.
    const events = await h.redis.xrange(`weft:run:${runId}:events`, '-', '+');
    const types = events.map(([, fields]) => fields[1]);
    expect([types[0], types.at(-1)]).toEqual(['run.started', 'run.finished']);
    expect(types.filter((t) => t === 'node.started').length).toBe(types.filter((t) => t === 'node.finished').length);
    expect(types.filter((t) => t === 'node.finished').length).toBeGreaterThanOrEqual(3);
  });

  it('runs in blocking mode, and answers 202 when the run outlives timeoutMs', async () => {
    const id = await publishedHello('200ms');
    const done = await api('POST', `/v1/workflows/${id}/runs`, { inputs: { name: 'Bo', times: 3 }, mode: 'blocking' });
    expect(done.status).toBe(200);
    expect(done.body.data).toMatchObject({ status: 'succeeded', outputs: { greeting: 'Hello, Bo x3', times: 3 } });

    await api('PUT', `/v1/workflows/${id}/draft`, { graph: helloGraph('5s') });
    await api('POST', `/v1/workflows/${id}/publish`);
    const slow = await api('POST', `/v1/workflows/${id}/runs`, { inputs: { name: 'Cy' }, mode: 'blocking', timeoutMs: 300 });
    expect(slow.status).toBe(202);
    expect(slow.body.data).toMatchObject({ status: 'running', version: 2 });
  });

  it('a graph that never waits writes its start with its end: the record and the event stream are as complete as any run', async () => {
    const inline = graph([start, tpl('greet', 'Hello, {{ start.name }}'), end({ greeting: '{{ greet.text }}' })], [['start', 'greet'], ['greet', 'end']], { name: { type: 'string', required: true } });
    const id = (await api('POST', '/v1/workflows', { name: 'inline', graph: inline })).body.data.id;
    await api('POST', `/v1/workflows/${id}/publish`);
    const done = await api('POST', `/v1/workflows/${id}/runs`, { inputs: { name: 'Di' }, mode: 'blocking' });
    expect(done.status).toBe(200);
    const run = done.body.data;
    expect(run).toMatchObject({ status: 'succeeded', outputs: { greeting: 'Hello, Di' }, temporal: { workflowId: `weft-${run.id}`, runId: expect.any(String) } });
    expect(Date.parse(run.startedAt)).toBeLessThanOrEqual(Date.parse(run.finishedAt));
    const description = await h.temporal.workflow.getHandle(`weft-${run.id}`).describe();
    expect(run.temporal.runId).toBe(description.runId);

    const events = await h.redis.xrange(`weft:run:${run.id}:events`, '-', '+');
    const types = events.map(([, fields]) => fields[1]);
    expect(types).toEqual(['run.started', 'node.started', 'node.finished', 'node.started', 'node.finished', 'node.started', 'node.finished', 'run.finished']);
  });

  it('runs the draft when asked, and refuses a never-published workflow otherwise', async () => {
    const created = await api('POST', '/v1/workflows', { name: 'draft-only', graph: helloGraph() });
    const id = created.body.data.id;
    const refused = await api('POST', `/v1/workflows/${id}/runs`, { inputs: { name: 'x' } });
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('workflow_not_published');
    const draftRun = await api('POST', `/v1/workflows/${id}/runs`, { inputs: { name: 'x' }, version: 'draft', mode: 'blocking' });
    expect(draftRun.status).toBe(200);
    expect(draftRun.body.data).toMatchObject({ version: 'draft', status: 'succeeded' });
  });

  it('returns the first run for a repeated Idempotency-Key', async () => {
    const id = await publishedHello();
    const headers = { 'Idempotency-Key': 'order-42' };
    const first = await api('POST', `/v1/workflows/${id}/runs`, { inputs: { name: 'A' } }, headers);
    const again = await api('POST', `/v1/workflows/${id}/runs`, { inputs: { name: 'A' } }, headers);
    expect(first.status).toBe(202);
    expect(again.status).toBe(202);
    expect(again.body.data.id).toBe(first.body.data.id);
    expect(again.body.data.inputs).toEqual({ name: 'A', times: 1 });
    // The same key for another request is refused (test/api/tenant-rules.test.ts has the cases).
    expect((await api('POST', `/v1/workflows/${id}/runs`, { inputs: { name: 'B' } }, headers)).status).toBe(422);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await h.prisma.run.count()).toBe(1);
  });

  it('validates run inputs against the declared inputs (422 with every issue)', async () => {
    const id = await publishedHello();
    const r = await api('POST', `/v1/workflows/${id}/runs`, { inputs: { times: 'many', extra: true } });
    expect(r.status).toBe(422);
    expect(r.body.code).toBe('run_invalid_inputs');
    expect(r.body.details.issues.map((i: { code: string }) => i.code).sort()).toEqual(['input_required', 'input_type_mismatch', 'input_unknown']);
    expect(await h.prisma.run.count()).toBe(0);
  });

  it('lists runs with pagination and filters', async () => {
    const id = await publishedHello('1ms');
    for (const name of ['a', 'b', 'c']) {
      expect((await api('POST', `/v1/workflows/${id}/runs`, { inputs: { name }, mode: 'blocking' })).status).toBe(200);
    }
    const page1 = await api('GET', `/v1/runs?limit=2&workflowId=${id}`);
    expect(page1.body.pagination).toEqual({ page: 1, limit: 2, total: 3, total_pages: 2, has_next: true, has_prev: false });
    expect(page1.body.data.map((r: { inputs: { name: string } }) => r.inputs.name)).toEqual(['c', 'b']);
    const page2 = await api('GET', `/v1/runs?limit=2&page=2&sort=-created_at`);
    expect(page2.body.data.map((r: { inputs: { name: string } }) => r.inputs.name)).toEqual(['a']);
    expect((await api('GET', '/v1/runs?status=failed')).body.pagination.total).toBe(0);
    expect((await api('GET', '/v1/runs?status=succeeded')).body.pagination.total).toBe(3);
    expect((await api('GET', `/v1/runs?createdAfter=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`)).body.data).toEqual([]);
    expect((await api('GET', '/v1/runs?status=bogus')).status).toBe(400);
    expect((await api('GET', '/v1/runs?limit=101')).status).toBe(400);
    const workflows = await api('GET', '/v1/workflows');
    expect(workflows.body.pagination.total).toBe(1);
    expect((await api('GET', `/v1/workflows/${id}/versions`)).body.data.map((v: { version: number }) => v.version)).toEqual([1]);
  });
});

describe('errors', () => {
  it('answers 401 without a key or with an unknown one', async () => {
    for (const headers of [{} as Record<string, string>, { authorization: 'Bearer sk-notarealkeynotarealkey' }, { authorization: 'Basic abc' }]) {
      const r = await httpClient(h.url)('GET', '/v1/workflows', undefined, headers);
      expect(r.status).toBe(401);
      expect(r.body).toMatchObject({ code: 'unauthorized', request_id: expect.any(String) });
    }
  });

  it("answers 404 for another tenant's workflow and run", async () => {
    const id = await publishedHello('1ms');
    const run = await api('POST', `/v1/workflows/${id}/runs`, { inputs: { name: 'x' }, mode: 'blocking' });
    const other = httpClient(h.url, await h.key('globex'));
    expect((await other('GET', `/v1/workflows/${id}`)).body.code).toBe('workflow_not_found');
    expect((await other('GET', `/v1/workflows/${id}`)).status).toBe(404);
    expect((await other('GET', `/v1/runs/${run.body.data.id}`)).status).toBe(404);
    expect((await other('POST', `/v1/workflows/${id}/runs`, { inputs: { name: 'x' } })).status).toBe(404);
    expect((await other('PUT', `/v1/workflows/${id}/draft`, { graph: helloGraph() })).status).toBe(404);
    expect((await other('GET', '/v1/runs')).body.pagination.total).toBe(0);
  });

  it('answers 422 with the whole issue list for a malformed graph, and stores nothing', async () => {
    const graph = helloGraph();
    graph.nodes.push({ id: 'greet', type: 'teleport', data: {} } as never);
    graph.edges.push({ source: 'done', target: 'nowhere' });
    const r = await api('POST', '/v1/workflows', { name: 'bad', graph });
    expect(r.status).toBe(422);
    expect(r.body.code).toBe('workflow_invalid_graph');
    expect(r.body.details.issues.map((i: { code: string }) => i.code)).toEqual(
      expect.arrayContaining(['node_id_duplicate', 'node_type_unknown', 'edge_unknown_node']),
    );
    expect(await h.prisma.workflow.count()).toBe(0);

    const id = await publishedHello();
    const draft = await api('PUT', `/v1/workflows/${id}/draft`, { graph: { dsl: 'weft/v1', nodes: [], edges: [] } });
    expect(draft.status).toBe(422);
    expect((await api('GET', `/v1/workflows/${id}`)).body.data.draft).toEqual(helloGraph());
    expect((await api('POST', `/v1/workflows/${id}/validate`, { graph })).status).toBe(422);
    expect((await api('POST', `/v1/workflows/${id}/validate`, {})).body.data).toEqual({ valid: true, issues: [] });
  });

  it('answers 400 for a malformed body', async () => {
    const noName = await api('POST', '/v1/workflows', { graph: helloGraph() });
    expect(noName.status).toBe(400);
    expect(noName.body.code).toBe('malformed_request');
    expect(noName.body.details.issues[0].path).toEqual(['body', 'name']);
    expect((await api('POST', '/v1/workflows', { name: 'x', graph: helloGraph(), extra: 1 })).status).toBe(400);
    const badJson = await api('POST', '/v1/workflows', '{"name": ');
    expect(badJson.status).toBe(400);
    expect(badJson.body.code).toBe('malformed_json');
    const id = await publishedHello();
    expect((await api('POST', `/v1/workflows/${id}/runs`, { inputs: [], mode: 'sometimes' })).status).toBe(400);
  });

  it('answers 403 when the role does not allow the request', async () => {
    const viewer = httpClient(h.url, await h.key('acme', 'viewer'));
    const r = await viewer('POST', '/v1/workflows', { name: 'x', graph: helloGraph() });
    expect(r.status).toBe(403);
    expect(r.body.code).toBe('forbidden');
    expect((await viewer('GET', '/v1/workflows')).status).toBe(200);
  });

  it('answers 404 for unknown routes and carries X-Request-Id everywhere', async () => {
    const r = await api('GET', '/v1/nothing-here', undefined, { 'X-Request-Id': 'trace-123' });
    expect(r.status).toBe(404);
    expect(r.headers.get('x-request-id')).toBe('trace-123');
    expect(r.body.request_id).toBe('trace-123');
    const generated = await api('GET', '/v1/workflows');
    expect(generated.headers.get('x-request-id')).toBe(generated.body.meta.request_id);
  });
});

describe('health and openapi', () => {
  it('reports live and ready with every dependency', async () => {
    expect((await httpClient(h.url)('GET', '/health/live')).status).toBe(200);
    const ready = await httpClient(h.url)('GET', '/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body.checks).toEqual({ postgres: { status: 'up' }, redis: { status: 'up' }, temporal: { status: 'up' }, milvus: { status: 'up' } });
  });

  it('serves the OpenAPI document with the DSL schema', async () => {
    const r = await httpClient(h.url)('GET', '/v1/openapi.json');
    expect(r.body.openapi).toBe('3.1.0');
    expect(Object.keys(r.body.paths)).toEqual(expect.arrayContaining(['/v1/workflows', '/v1/workflows/{id}/runs', '/v1/runs/{id}']));
    expect(r.body.components.schemas.WorkflowGraph.properties.dsl).toEqual({ type: 'string', const: 'weft/v1' });
  });
});
