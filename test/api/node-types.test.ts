import { useSuiteHarness } from '../support/harness';

/**
 * Node types through the public API, with the production registries: a published version
 * records the version of each node type it was validated with, and the list-operator node (added
 * in the one-folder-per-layer layout) runs end to end.
 */
const suite = useSuiteHarness('node-types');
const api: ReturnType<typeof useSuiteHarness>['api'] = (...args) => suite.api(...args);

const topScorers = () => ({
  dsl: 'weft/v1',
  inputs: { players: { type: 'array', required: true }, min: { type: 'number', default: 10 } },
  nodes: [
    { id: 'start', type: 'start' },
    {
      id: 'each',
      type: 'iteration',
      data: {
        items: '{{ start.players }}',
        graph: {
          nodes: [
            { id: 'inner', type: 'start' },
            { id: 'rank', type: 'list-operator', data: { items: '{{ each.item.scores }}', sort: { order: 'desc' }, limit: 1 } },
            { id: 'best', type: 'end', data: { outputs: { name: '{{ each.item.name }}', best: '{{ rank.first }}' } } },
          ],
          edges: [
            { source: 'inner', target: 'rank' },
            { source: 'rank', target: 'best' },
          ],
        },
      },
    },
    {
      id: 'top',
      type: 'list-operator',
      data: { items: '{{ each.results }}', filter: { conditions: [{ key: 'best', op: 'gte', value: '{{ start.min }}' }] }, sort: { key: 'best', order: 'desc' }, nth: 2 },
    },
    { id: 'done', type: 'end', data: { outputs: { names: '{{ top.result }}', second: '{{ top.item.name }}', count: '{{ top.count }}' } } },
  ],
  edges: [
    { source: 'start', target: 'each' },
    { source: 'each', target: 'top' },
    { source: 'top', target: 'done' },
  ],
});

describe('node types over HTTP', () => {
  it('stamps each node of a published version (inner graphs included) with its type version; the draft stays as written', async () => {
    const created = await api('POST', '/v1/workflows', { name: 'scores', graph: topScorers() });
    expect(created.status).toBe(201);
    const id = created.body.data.id;
    const published = await api('POST', `/v1/workflows/${id}/publish`);
    expect(published.status).toBe(201);
    const version = (await api('GET', `/v1/workflows/${id}/versions/1`)).body.data;
    const inner = version.graph.nodes[1].data.graph.nodes;
    expect(version.graph.nodes.map((n: { version: number }) => n.version)).toEqual([1, 1, 1, 1]);
    expect(inner.map((n: { version: number }) => n.version)).toEqual([1, 1, 1]);
    expect((await api('GET', `/v1/workflows/${id}`)).body.data.draft).toEqual(topScorers());
  });

  it('refuses a node written for a version of its type this build does not know (422 node_version_unknown)', async () => {
    const graph = topScorers();
    (graph.nodes[2] as { version?: number }).version = 2;
    const created = await api('POST', '/v1/workflows', { name: 'future', graph });
    expect(created.status).toBe(422);
    expect(created.body.details.issues).toEqual([expect.objectContaining({ code: 'node_version_unknown', nodeId: 'top', path: ['nodes', 2, 'version'] })]);
  });

  it('runs list-operator nodes end to end, inside an iteration and after it', async () => {
    const id = (await api('POST', '/v1/workflows', { name: 'scores', graph: topScorers() })).body.data.id;
    await api('POST', `/v1/workflows/${id}/publish`);
    const players = [
      { name: 'ada', scores: [3, 12, 7] },
      { name: 'bo', scores: [4] },
      { name: 'cy', scores: [15, 2] },
      { name: 'di', scores: [11] },
    ];
    const run = await api('POST', `/v1/workflows/${id}/runs`, { inputs: { players }, mode: 'blocking', timeoutMs: 60_000 });
    expect(run.status).toBe(200);
    expect(run.body.data).toMatchObject({
      status: 'succeeded',
      outputs: {
        names: [
          { name: 'cy', best: 15 },
          { name: 'ada', best: 12 },
          { name: 'di', best: 11 },
        ],
        second: 'ada',
        count: 3,
      },
    });
    const nodes = (await api('GET', `/v1/runs/${run.body.data.id}/nodes?limit=100`)).body.data;
    expect(nodes.find((n: { key: string }) => n.key === 'top')).toMatchObject({ type: 'list-operator', status: 'succeeded', inputs: { items: 4, offset: 0, nth: 2 } });
  });
});
