import type { Graph } from '@weft/domain';
import { PublishedGraphs } from './published-graphs';

const graphOf = (label: string, pad = 0) => ({ dsl: 'weft/v1', nodes: [{ id: label, type: 'start', data: { pad: 'x'.repeat(pad) } }], edges: [] }) as unknown as Graph;

describe('published graphs', () => {
  it('reads a version once, per workspace, workflow and version', async () => {
    const cache = new PublishedGraphs();
    let reads = 0;
    const read = (label: string) => async () => (reads++, graphOf(label));
    expect(await cache.get('tn_a', 'wf_1', 1, read('a1'))).toEqual(graphOf('a1'));
    expect(await cache.get('tn_a', 'wf_1', 1, read('other'))).toEqual(graphOf('a1'));
    expect(await cache.get('tn_b', 'wf_1', 1, read('b1'))).toEqual(graphOf('b1'));
    expect(await cache.get('tn_a', 'wf_1', 2, read('a2'))).toEqual(graphOf('a2'));
    expect(reads).toBe(3);
  });

  it('lets the least recently used go past its bounds of entries and bytes, and keeps no graph too large for it', async () => {
    const cache = new PublishedGraphs(2, 4000);
    let reads = 0;
    const get = (v: number, pad = 0) => cache.get('tn', 'wf', v, async () => (reads++, graphOf(`v${v}`, pad)));
    await get(1);
    await get(2);
    await get(1); // 1 is now the most recently used
    await get(3); // 2 goes
    reads = 0;
    await get(1);
    await get(3);
    expect(reads).toBe(0);
    await get(2);
    expect(reads).toBe(1);

    const big = new PublishedGraphs(100, 4000);
    let bigReads = 0;
    const getBig = (v: number, pad: number) => big.get('tn', 'wf', v, async () => (bigReads++, graphOf(`v${v}`, pad)));
    await getBig(1, 1500); // over a quarter of the bytes: never kept
    await getBig(1, 1500);
    expect(bigReads).toBe(2);
    await getBig(2, 900);
    await getBig(3, 900);
    await getBig(4, 900);
    await getBig(5, 900); // four of ~975 bytes fit in 4,000
    await getBig(6, 900); // the fifth pushes the oldest out
    bigReads = 0;
    await getBig(2, 900);
    expect(bigReads).toBe(1);
  });
});
