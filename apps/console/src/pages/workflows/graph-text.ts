import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import type { components } from '../../api/generated/schema';
import type { DslGraph } from '../../graph/layout';

/**
 * A graph as the API takes it. What a person typed is only known to be an object: it is sent as it
 * is, and the API's validator answers every problem of it at once (a 422 with the issues).
 */
export type WorkflowGraph = components['schemas']['WorkflowGraph'];

/** How the editor shows a graph: the API speaks JSON; YAML is easier to write by hand. */
export type GraphFormat = 'json' | 'yaml';

/** The graph a new workflow starts with: the smallest valid one, with one declared input. */
export const STARTER_GRAPH = {
  dsl: 'weft/v1',
  inputs: { name: { type: 'string', required: true, description: 'Who to greet' } },
  nodes: [
    { id: 'start', type: 'start' },
    { id: 'end', type: 'end', data: { outputs: { greeting: 'Hello, {{ start.name }}!' } } },
  ],
  edges: [{ source: 'start', target: 'end' }],
};

export function formatGraph(graph: unknown, format: GraphFormat): string {
  return format === 'json' ? JSON.stringify(graph, null, 2) : stringifyYaml(graph, { lineWidth: 0 });
}

/** The text as a graph object, or a message saying where the text is not JSON (or YAML). */
export function parseGraph(text: string, format: GraphFormat): { graph: WorkflowGraph } | { error: string } {
  let value: unknown;
  try {
    // YAML's parser also reads JSON; the stricter JSON parser gives the JSON editor plain messages.
    value = format === 'json' ? JSON.parse(text) : parseYaml(text, { maxAliasCount: 100 });
  } catch (err) {
    return { error: `This is not valid ${format === 'json' ? 'JSON' : 'YAML'}: ${err instanceof Error ? err.message : String(err)}` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { error: 'The graph must be an object with dsl, nodes and edges.' };
  return { graph: value as WorkflowGraph };
}

/** A graph object as GraphView draws it (the layout skips what it cannot draw), or null when it has no nodes. */
export function drawable(graph: unknown): DslGraph | null {
  const g = graph as Partial<DslGraph> | null;
  return g && typeof g === 'object' && Array.isArray(g.nodes) ? { nodes: g.nodes, edges: Array.isArray(g.edges) ? g.edges : [] } : null;
}

/** The graph as text that does not depend on key order (PostgreSQL's jsonb keeps its own): for "is it saved?". */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}

/**
 * The nodes of a graph (containers' too) as one string: GraphView fits the drawing to its box when it
 * mounts, so the editor draws a graph anew when its nodes change, and not on every other keystroke.
 */
export function nodesSignature(graph: DslGraph | null, depth = 0): string {
  if (!graph || depth > 8) return '';
  return graph.nodes.map((n) => `${String(n?.id)}:${String(n?.type)}(${drawableInner(n?.data?.graph, depth)})`).join(',');
}
const drawableInner = (g: unknown, depth: number) => nodesSignature(drawable(g), depth + 1);
