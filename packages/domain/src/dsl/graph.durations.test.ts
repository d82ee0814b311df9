import { DURATION_BOUNDS, describeBound, formatDuration } from './duration';
import { validateGraph } from './graph.validate';

type Node = { id: string; type: string; data?: unknown; [k: string]: unknown };

const chainOf = (...nodes: Node[]) => ({
  dsl: 'weft/v1',
  nodes: [{ id: 'start', type: 'start' }, ...nodes, { id: 'done', type: 'end', data: { outputs: {} } }],
  edges: ['start', ...nodes.map((n) => n.id), 'done'].slice(1).map((id, i, all) => ({ source: i === 0 ? 'start' : all[i - 1]!, target: id })),
});
const http = (policy: Record<string, unknown>): Node => ({ id: 'fetch', type: 'http-request', data: { url: 'https://example.test/' }, ...policy });
const wait = (data: Record<string, unknown>): Node => ({ id: 'nap', type: 'wait', data });
const approval = (timeout: string): Node => ({ id: 'ok', type: 'approval', data: { prompt: 'Ship?', timeout } });

const NOW = new Date('2026-11-25T12:00:00Z');
const issuesOf = (graph: unknown, now: Date | null = NOW) => {
  const r = validateGraph(graph, now ? { now } : {});
  return r.ok ? [] : r.issues;
};

describe('duration bounds', () => {
  it('are one exported table, in milliseconds', () => {
    expect(DURATION_BOUNDS).toEqual({
      nodeTimeout: { min: 1_000, max: 86_400_000 },
      childRunTimeout: { min: 1_000, max: 366 * 86_400_000 },
      retryInterval: { min: 100, max: 86_400_000 },
      waitDuration: { min: 0, max: 366 * 86_400_000 },
      approvalTimeout: { min: 1_000, max: 366 * 86_400_000 },
      waitUntilAhead: { min: -Infinity, max: 366 * 86_400_000 },
    });
    expect(Object.isFrozen(DURATION_BOUNDS) && Object.isFrozen(DURATION_BOUNDS.nodeTimeout)).toBe(true);
    expect(describeBound(DURATION_BOUNDS.nodeTimeout)).toBe('between 1s and 24h');
    expect([0, 100, 1500, 60_000, 86_400_000, 366 * 86_400_000].map(formatDuration)).toEqual(['0ms', '100ms', '1500ms', '1m', '24h', '366d']);
  });

  // The examples of issue 7, item 13, and each bound's edges.
  const refused: [string, Node, (string | number)[], string][] = [
    ['timeout "0ms"', http({ timeout: '0ms' }), ['nodes', 1, 'timeout'], 'between 1s and 24h'],
    ['timeout "999ms"', http({ timeout: '999ms' }), ['nodes', 1, 'timeout'], 'between 1s and 24h'],
    ['timeout "25h"', http({ timeout: '25h' }), ['nodes', 1, 'timeout'], 'between 1s and 24h'],
    ['retry initialInterval "0ms"', http({ retry: { maxAttempts: 3, initialInterval: '0ms' } }), ['nodes', 1, 'retry', 'initialInterval'], 'between 100ms and 24h'],
    ['retry maxInterval "0ms"', http({ retry: { maxAttempts: 3, initialInterval: '100ms', maxInterval: '0ms' } }), ['nodes', 1, 'retry', 'maxInterval'], 'between 100ms and 24h'],
    ['retry maxInterval "2d"', http({ retry: { maxAttempts: 3, maxInterval: '2d' } }), ['nodes', 1, 'retry', 'maxInterval'], 'between 100ms and 24h'],
    ['wait "100000d"', wait({ duration: '100000d' }), ['nodes', 1, 'data', 'duration'], 'between 0ms and 366d'],
    ['wait "367d"', wait({ duration: '367d' }), ['nodes', 1, 'data', 'duration'], 'between 0ms and 366d'],
    ['wait until 9999-12-31', wait({ until: '9999-12-31T00:00:00Z' }), ['nodes', 1, 'data', 'until'], 'at most 366d after now (2026-11-25T12:00:00.000Z)'],
    ['wait until 367 days ahead', wait({ until: '2027-11-28T12:00:00+00:00' }), ['nodes', 1, 'data', 'until'], 'at most 366d after now'],
    ['sub-workflow timeout "367d"', { id: 'child', type: 'sub-workflow', data: { workflowId: 'wf_1' }, timeout: '367d' }, ['nodes', 1, 'timeout'], 'between 1s and 366d'],
    ['approval timeout "500ms"', approval('500ms'), ['nodes', 1, 'data', 'timeout'], 'between 1s and 366d'],
    ['approval timeout "400d"', approval('400d'), ['nodes', 1, 'data', 'timeout'], 'between 1s and 366d'],
  ];

  it.each(refused)('refuse %s (duration_out_of_range, naming the bound)', (_what, node, path, bound) => {
    const issues = issuesOf(chainOf(node));
    expect(issues).toEqual([expect.objectContaining({ code: 'duration_out_of_range', nodeId: node.id, path, message: expect.stringContaining(bound) })]);
  });

  it('accept the bounds themselves', () => {
    const g = chainOf(
      http({ timeout: '1s', retry: { maxAttempts: 2, initialInterval: '100ms', maxInterval: '24h' } }),
      { ...http({ timeout: '24h', retry: { maxAttempts: 2, initialInterval: '24h' } }), id: 'fetch2' },
      wait({ duration: '0ms' }),
      { ...wait({ duration: '366d' }), id: 'nap2' },
      { ...wait({ until: '2027-11-26T12:00:00Z' }), id: 'nap3' },
      { ...wait({ until: '1970-01-01T00:00:00Z' }), id: 'nap4' },
      { id: 'child', type: 'sub-workflow', data: { workflowId: 'wf_1' }, timeout: '366d' },
      approval('1m'),
      { ...approval('366d'), id: 'ok2' },
    );
    const edges = g.edges.map((e) => (e.source === 'ok' || e.source === 'ok2' ? { ...e, sourceHandle: 'approve' } : e));
    expect(issuesOf({ ...g, edges })).toEqual([]);
  });

  it('refuse a maxInterval below the initial interval, 1s when none is set (retry_interval_order)', () => {
    const order = (retry: Record<string, unknown>) => issuesOf(chainOf(http({ retry: { maxAttempts: 3, ...retry } })));
    expect(order({ initialInterval: '5s', maxInterval: '2s' })).toEqual([expect.objectContaining({ code: 'retry_interval_order', path: ['nodes', 1, 'retry', 'maxInterval'] })]);
    expect(order({ maxInterval: '500ms' })).toEqual([expect.objectContaining({ code: 'retry_interval_order', message: expect.stringContaining('1s by default') })]);
    expect(order({ initialInterval: '2s', maxInterval: '2s' })).toEqual([]);
  });

  it('bound until only when the caller says when now is: the domain reads no clock', () => {
    const g = chainOf(wait({ until: '9999-12-31T00:00:00Z' }));
    expect(issuesOf(g, null)).toEqual([]);
    expect(issuesOf(g, new Date('9999-06-01T00:00:00Z'))).toEqual([]);
    expect(issuesOf(g).map((i) => i.code)).toEqual(['duration_out_of_range']);
  });

  it('leave malformed durations to the syntax check, once', () => {
    expect(issuesOf(chainOf(wait({ duration: 'soon' }))).map((i) => i.code)).toEqual(['node_data_invalid']);
    expect(issuesOf(chainOf(http({ timeout: 'soon' }))).map((i) => i.code)).toEqual(['graph_malformed']);
  });

  it('report bounds with every other issue of the graph', () => {
    const g = chainOf(http({ timeout: '0ms' }), { id: 'say', type: 'template', data: { template: '{{ ghost.x }}' } });
    expect(issuesOf(g).map((i) => i.code).sort()).toEqual(['duration_out_of_range', 'reference_unknown_node']);
  });
});
