import { z } from 'zod';
import { allNodes, stampNodeVersions } from '../dsl/graph.walk';
import { validateGraph } from '../dsl/graph.validate';
import { defineNodeType, upgradeNodeData } from './node-type';
import { NODE_TYPES, nodeType } from './registry';

/**
 * A type at version 3 whose data changed twice: v1 had `text`, v2 renamed it `body`, v3 made
 * `body` a list. A graph written for v1 keeps its meaning through the migrations.
 */
const noteV3 = defineNodeType({
  type: 'note',
  version: 3,
  migrations: {
    1: (d) => ({ body: (d as { text: string }).text }),
    2: (d) => ({ body: [(d as { body: string }).body] }),
  },
  dataSchema: z.object({ body: z.array(z.string()) }).strict(),
  outputs: () => [],
  handles: () => [],
});

describe('node type versions', () => {
  it('every registered type has a version, and its key is its type', () => {
    for (const [key, def] of Object.entries(NODE_TYPES)) {
      expect(def.type).toBe(key);
      expect(Number.isInteger(def.version) && def.version >= 1).toBe(true);
    }
  });

  it('migrates data written for an older version, step by step, to what the current version reads', () => {
    expect(upgradeNodeData(noteV3, 1, { text: 'hi' })).toEqual({ ok: true, data: { body: ['hi'] } });
    expect(upgradeNodeData(noteV3, 2, { body: 'hi' })).toEqual({ ok: true, data: { body: ['hi'] } });
    expect(upgradeNodeData(noteV3, 3, { body: ['hi'] })).toEqual({ ok: true, data: { body: ['hi'] } });
  });

  it('refuses a version it does not know (newer than this build, or not a version) instead of guessing', () => {
    for (const v of [4, 0, -1, 1.5]) expect(upgradeNodeData(noteV3, v, { body: [] })).toMatchObject({ ok: false, code: 'node_version_unknown' });
    const noPath = defineNodeType({ ...noteV3, migrations: { 2: noteV3.migrations[2] } });
    expect(upgradeNodeData(noPath, 1, { text: 'x' })).toMatchObject({ ok: false, code: 'node_version_unknown' });
  });

  it('validation reports a node written for a version this build does not know', () => {
    const graph = {
      dsl: 'weft/v1',
      nodes: [
        { id: 'start', type: 'start', version: 1 },
        { id: 'done', type: 'end', version: 7, data: { outputs: {} } },
      ],
      edges: [{ source: 'start', target: 'done' }],
    };
    const r = validateGraph(graph);
    expect(r.ok).toBe(false);
    expect(r.issues).toEqual([expect.objectContaining({ code: 'node_version_unknown', nodeId: 'done', path: ['nodes', 1, 'version'] })]);
  });

  it('stamps every node of a graph (inner graphs included) with its type version, keeping versions already there', () => {
    const graph = {
      nodes: [
        { id: 'start', type: 'start' },
        { id: 'each', type: 'iteration', version: 1, data: { items: '{{ start.xs }}', graph: { nodes: [{ id: 'in', type: 'start' }, { id: 'out', type: 'end', data: { outputs: {} } }], edges: [] } } },
        { id: 'mystery', type: 'not-a-type' },
      ],
    };
    const stamped = stampNodeVersions(graph);
    expect([...allNodes(stamped.nodes as never)].map((n) => [n.id, n.version])).toEqual([
      ['start', nodeType('start')!.version],
      ['each', 1],
      ['in', nodeType('start')!.version],
      ['out', nodeType('end')!.version],
      ['mystery', undefined],
    ]);
    expect(graph.nodes[0]).not.toHaveProperty('version');
  });
});
