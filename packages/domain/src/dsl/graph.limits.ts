import { z } from 'zod';
import type { Issue } from '../errors/domain.errors';
import { nodeType } from '../nodes/registry';

/**
 * Size caps of a graph document, checked before any other rule so that the work validation (and
 * later every run of the graph) does is bounded by them, whatever a tenant sends. They are
 * deployment settings of the API (README "Limits"); the domain takes them as input.
 */
export interface GraphLimits {
  /** nodes in all, those of inner graphs included */
  maxNodes: number;
  /** edges in all, those of inner graphs included */
  maxEdges: number;
  /** containers (iteration, loop) inside containers: 1 = an inner graph may hold no container */
  maxNesting: number;
  /** characters of the longest string of the document, object keys included */
  maxStringLength: number;
  /** nesting levels of the document's JSON, as `measureValue` counts them */
  maxDepth: number;
}

/**
 * - 1,000 nodes: fifty times a large hand-built workflow, and the graph travels in every run's
 *   workflow input, which Temporal caps at 2 MiB with the graphs of its sub-workflows.
 * - 5,000 edges: five per node on average; fan-out and fan-in nodes need more, most nodes one.
 * - nesting 8: three levels are already rare, and each level multiplies the work of a run.
 * - 100,000 characters: the code node's own limit, and room for a long prompt.
 * - depth 64: the value-depth limit of run state (WEFT_MAX_VALUE_DEPTH), far below PostgreSQL's
 *   JSON limits, and deep enough for 8 levels of nesting with data 20 levels deep inside.
 */
export const DEFAULT_GRAPH_LIMITS: Readonly<GraphLimits> = Object.freeze({
  maxNodes: 1_000,
  maxEdges: 5_000,
  maxNesting: 8,
  maxStringLength: 100_000,
  maxDepth: 64,
});

/** The environment variables that set the caps; the API parses them with its own config. */
export const graphLimitsEnvShape = {
  WEFT_GRAPH_MAX_NODES: z.coerce.number().int().min(10).max(100_000).default(DEFAULT_GRAPH_LIMITS.maxNodes),
  WEFT_GRAPH_MAX_EDGES: z.coerce.number().int().min(10).max(500_000).default(DEFAULT_GRAPH_LIMITS.maxEdges),
  WEFT_GRAPH_MAX_NESTING: z.coerce.number().int().min(1).max(32).default(DEFAULT_GRAPH_LIMITS.maxNesting),
  WEFT_GRAPH_MAX_STRING_CHARS: z.coerce.number().int().min(1_000).max(10_000_000).default(DEFAULT_GRAPH_LIMITS.maxStringLength),
  // PostgreSQL (through Prisma) refuses JSON nested about 126 levels deep.
  WEFT_GRAPH_MAX_DEPTH: z.coerce.number().int().min(16).max(120).default(DEFAULT_GRAPH_LIMITS.maxDepth),
};

export type GraphLimitsEnv = { [K in keyof typeof graphLimitsEnvShape]: number };

export function graphLimitsFromEnv(env: GraphLimitsEnv): GraphLimits {
  return {
    maxNodes: env.WEFT_GRAPH_MAX_NODES,
    maxEdges: env.WEFT_GRAPH_MAX_EDGES,
    maxNesting: env.WEFT_GRAPH_MAX_NESTING,
    maxStringLength: env.WEFT_GRAPH_MAX_STRING_CHARS,
    maxDepth: env.WEFT_GRAPH_MAX_DEPTH,
  };
}

type Path = (string | number)[];
const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * Counts nodes and edges through every inner graph and measures container nesting, reading only
 * the arrays' lengths and the nodes themselves: it stops as soon as a count passes its cap, so the
 * cost is bounded by the caps, not by the document.
 */
function countIssues(input: Record<string, unknown>, limits: GraphLimits): Issue[] {
  let nodes = 0;
  let edges = 0;
  const issues: Issue[] = [];
  const stack: { graph: Record<string, unknown>; nesting: number; base: Path }[] = [{ graph: input, nesting: 0, base: [] }];
  while (stack.length) {
    const { graph, nesting, base } = stack.pop()!;
    const list = Array.isArray(graph.nodes) ? (graph.nodes as unknown[]) : [];
    nodes += list.length;
    edges += Array.isArray(graph.edges) ? graph.edges.length : 0;
    if (nodes > limits.maxNodes || edges > limits.maxEdges) break;
    list.forEach((node, i) => {
      if (!isObject(node) || typeof node.type !== 'string' || !nodeType(node.type)?.container) return;
      const inner = isObject(node.data) ? node.data.graph : undefined;
      if (!isObject(inner)) return;
      const path = [...base, 'nodes', i, 'data', 'graph'];
      if (nesting + 1 > limits.maxNesting) {
        if (!issues.length) {
          const message = `Containers are nested more than ${limits.maxNesting} deep (iterations and loops inside one another)`;
          issues.push({ code: 'graph_nesting_too_deep', message, ...(typeof node.id === 'string' ? { nodeId: node.id } : {}), path });
        }
        return;
      }
      stack.push({ graph: inner, nesting: nesting + 1, base: path });
    });
  }
  if (nodes > limits.maxNodes) {
    issues.push({ code: 'graph_too_many_nodes', message: `The graph has more than ${limits.maxNodes} nodes (inner graphs included)` });
  }
  if (edges > limits.maxEdges) {
    issues.push({ code: 'graph_too_many_edges', message: `The graph has more than ${limits.maxEdges} edges (inner graphs included)` });
  }
  return issues;
}

/** Where a walk is: a chain back to the root, turned into a path only when a cap is passed. */
interface Trail {
  parent?: Trail;
  key?: string | number;
}

function pathOf(trail: Trail): Path {
  const path: Path = [];
  for (let t: Trail | undefined = trail; t?.parent; t = t.parent) path.push(t.key!);
  return path.reverse();
}

/** Finds the first string longer than the cap and the first value nested deeper than the cap, iteratively. */
function valueIssues(input: unknown, limits: GraphLimits): Issue[] {
  let tooLong: Issue | undefined;
  let tooDeep: Issue | undefined;
  const stack: [unknown, number, Trail][] = [[input, 0, {}]];
  const longString = (trail: Trail) => ({
    code: 'graph_string_too_long',
    message: `A text of the graph is longer than ${limits.maxStringLength} characters`,
    path: pathOf(trail),
  });
  while (stack.length && !(tooLong && tooDeep)) {
    const [value, depth, trail] = stack.pop()!;
    if (typeof value === 'string') {
      if (!tooLong && value.length > limits.maxStringLength) tooLong = longString(trail);
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    const level = depth + 1;
    if (level > limits.maxDepth) {
      tooDeep ??= { code: 'graph_too_deep', message: `The graph's JSON is nested more than ${limits.maxDepth} levels deep`, path: pathOf(trail) };
      continue;
    }
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push([value[i], level, { parent: trail, key: i }]);
      continue;
    }
    const keys = Object.keys(value);
    for (let i = keys.length - 1; i >= 0; i--) {
      const at: Trail = { parent: trail, key: keys[i]! };
      if (!tooLong && keys[i]!.length > limits.maxStringLength) tooLong = longString(at);
      stack.push([(value as Record<string, unknown>)[keys[i]!], level, at]);
    }
  }
  return [...(tooLong ? [tooLong] : []), ...(tooDeep ? [tooDeep] : [])];
}

/**
 * The caps' issues (empty when the document is within them). Neither walk recurses, so no
 * document can overflow the stack here, and a document past a cap costs no more than the caps.
 */
export function graphSizeIssues(input: unknown, limits: GraphLimits): Issue[] {
  if (!isObject(input)) return [];
  const counted = countIssues(input, limits);
  if (counted.length) return counted;
  return valueIssues(input, limits);
}
