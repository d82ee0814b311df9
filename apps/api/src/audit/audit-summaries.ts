import { createHash } from 'node:crypto';
import { canonicalJson } from '../runs/idempotency';

/**
 * What the audit log keeps of a graph: a draft or a version can be large (hundreds of nodes, long
 * prompts), so an entry holds its counts and the sha256 of its canonical JSON (keys sorted), enough
 * to tell whether two graphs are the same and to match an entry with a version; the graph itself
 * is in the workflow's versions.
 */
export function graphSummary(graph: unknown): { nodes: number; edges: number; sha256: string } {
  const g = (graph ?? {}) as { nodes?: unknown; edges?: unknown };
  return {
    nodes: Array.isArray(g.nodes) ? g.nodes.length : 0,
    edges: Array.isArray(g.edges) ? g.edges.length : 0,
    sha256: createHash('sha256').update(canonicalJson(graph ?? null)).digest('hex'),
  };
}
