import type { Graph } from '@weft/domain';

/**
 * Published graphs this process has read, by workspace, workflow and version. A published version
 * never changes, so an entry is never stale; it is only ever read after the workflow itself was
 * found in the same workspace (a deleted workflow answers 404 before its graph is asked for).
 * Bounded by entries and by the graphs' JSON size, least recently used first out.
 */
export class PublishedGraphs {
  private readonly entries = new Map<string, { graph: Graph; bytes: number }>();
  private bytes = 0;

  constructor(
    private readonly maxEntries = 500,
    private readonly maxBytes = 64 * 1024 * 1024,
  ) {}

  async get(tenantId: string, workflowId: string, version: number, read: () => Promise<Graph>): Promise<Graph> {
    const key = JSON.stringify([tenantId, workflowId, version]);
    const hit = this.entries.get(key);
    if (hit) {
      // Most recently used last.
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit.graph;
    }
    const graph = await read();
    const bytes = Buffer.byteLength(JSON.stringify(graph));
    if (bytes > this.maxBytes / 4) return graph;
    this.entries.set(key, { graph, bytes });
    this.bytes += bytes;
    for (const [oldest, entry] of this.entries) {
      if (this.entries.size <= this.maxEntries && this.bytes <= this.maxBytes) break;
      this.entries.delete(oldest);
      this.bytes -= entry.bytes;
    }
    return graph;
  }
}
