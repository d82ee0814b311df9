import type { z } from 'zod';
import type { Issue } from '../errors/domain.errors';
import { nodeType } from '../nodes/registry';
import { DEFAULT_HANDLE, ERROR_HANDLE, NODE_ID_PATTERN, RESERVED_IDS, edgeId, type GraphNode } from './graph.schema';
import type { ScopeFacts } from './graph.scope';

export type Rule = (scope: ScopeFacts) => Issue[];

export function zodIssues(error: z.ZodError, code: string, base: (string | number)[], nodeId?: string): Issue[] {
  return error.issues.map((i) => ({
    code,
    message: i.message,
    ...(nodeId !== undefined ? { nodeId } : {}),
    path: [...base, ...(i.path as (string | number)[])],
  }));
}

const at = (scope: ScopeFacts, ...path: (string | number)[]) => [...scope.base, ...path];

export const nodeIdRule: Rule = (scope) => {
  const issues: Issue[] = [];
  scope.graph.nodes.forEach((node, i) => {
    const path = at(scope, 'nodes', i, 'id');
    if (!NODE_ID_PATTERN.test(node.id)) {
      issues.push({ code: 'node_id_invalid', message: `Node id '${node.id}' must match ${NODE_ID_PATTERN}`, nodeId: node.id, path });
    }
    if ((RESERVED_IDS as readonly string[]).includes(node.id)) {
      issues.push({ code: 'node_id_reserved', message: `Node id '${node.id}' is reserved`, nodeId: node.id, path });
    }
  });
  return issues;
};

/** Ids are unique across the whole document, inner graphs included, so a reference names one node. */
export function duplicateIdIssues(scopes: ScopeFacts[]): Issue[] {
  const issues: Issue[] = [];
  const seen = new Set<string>();
  for (const scope of scopes) {
    scope.graph.nodes.forEach((node, i) => {
      if (seen.has(node.id)) {
        issues.push({ code: 'node_id_duplicate', message: `Node id '${node.id}' is used more than once`, nodeId: node.id, path: at(scope, 'nodes', i, 'id') });
      }
      seen.add(node.id);
    });
  }
  return issues;
}

export const nodeTypeRule: Rule = (scope) => {
  const issues: Issue[] = [];
  scope.graph.nodes.forEach((node, i) => {
    const def = nodeType(node.type);
    if (!def) {
      issues.push({ code: 'node_type_unknown', message: `Node type '${node.type}' is not known`, nodeId: node.id, path: at(scope, 'nodes', i, 'type') });
      return;
    }
    const parsed = def.dataSchema.safeParse(node.data);
    if (!parsed.success) issues.push(...zodIssues(parsed.error, 'node_data_invalid', at(scope, 'nodes', i, 'data'), node.id));
    const unsupported = def.effectful ? [] : [...(node.retry ? ['retry'] : []), ...(node.timeout ? ['timeout'] : []), ...(node.onError && !def.container ? ['onError'] : [])];
    if (unsupported.length) {
      issues.push({
        code: 'node_policy_unsupported',
        message: `Node type '${node.type}' does no work outside the workflow; ${unsupported.join(', ')} do not apply`,
        nodeId: node.id,
        path: at(scope, 'nodes', i, unsupported[0]!),
      });
    }
    if (node.onError === 'default' && node.default === undefined) {
      issues.push({ code: 'node_default_missing', message: 'onError "default" needs a "default" outputs object', nodeId: node.id, path: at(scope, 'nodes', i, 'default') });
    }
  });
  return issues;
};

export const startEndRule: Rule = (scope) => {
  const starts = scope.graph.nodes.filter((n) => n.type === 'start');
  const where = scope.container ? { nodeId: scope.container.id, path: scope.base } : {};
  const issues: Issue[] = [];
  if (starts.length === 0) issues.push({ code: 'start_missing', message: `${cap(scope.label)} has no start node`, ...where });
  for (const extra of starts.slice(1)) {
    issues.push({ code: 'start_multiple', message: `${cap(scope.label)} has more than one start node`, nodeId: extra.id, ...(scope.container ? { path: scope.base } : {}) });
  }
  if (!scope.graph.nodes.some((n) => n.type === 'end')) issues.push({ code: 'end_missing', message: `${cap(scope.label)} has no end node`, ...where });
  return issues;
};

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

function handlesOf(node: GraphNode): readonly string[] | undefined {
  const def = nodeType(node.type);
  if (!def) return undefined;
  const parsed = def.dataSchema.safeParse(node.data);
  if (!parsed.success) return undefined;
  const handles = [...def.handles(parsed.data)];
  if (node.onError === 'branch') handles.push(ERROR_HANDLE);
  return handles;
}

export const edgeRule: Rule = (scope) => {
  const { byId } = scope;
  const issues: Issue[] = [];
  scope.graph.edges.forEach((edge, i) => {
    const id = edgeId(edge, i);
    for (const end of ['source', 'target'] as const) {
      if (!byId.has(edge[end])) {
        issues.push({ code: 'edge_unknown_node', message: `Edge ${end} '${edge[end]}' is not a node of ${scope.label}`, edgeId: id, path: at(scope, 'edges', i, end) });
      }
    }
    const target = byId.get(edge.target);
    if (target?.type === 'start') {
      issues.push({ code: 'edge_into_start', message: 'No edge may lead into a start node', edgeId: id, nodeId: target.id, path: at(scope, 'edges', i, 'target') });
    }
    const source = byId.get(edge.source);
    const handles = source && handlesOf(source);
    const handle = edge.sourceHandle ?? DEFAULT_HANDLE;
    if (source && handles && !handles.includes(handle)) {
      issues.push({
        code: 'edge_unknown_handle',
        message: `Node '${source.id}' has no handle '${handle}' (it has: ${handles.join(', ') || 'none'})`,
        edgeId: id,
        nodeId: source.id,
        path: at(scope, 'edges', i, 'sourceHandle'),
      });
    }
  });
  return issues;
};

export const reachabilityRule: Rule = (scope) => {
  const start = scope.graph.nodes.find((n) => n.type === 'start');
  if (!start) return [];
  const seen = new Set([start.id]);
  const queue = [start.id];
  while (queue.length) {
    for (const c of scope.children.get(queue.shift()!) ?? []) {
      if (seen.has(c)) continue;
      seen.add(c);
      queue.push(c);
    }
  }
  return scope.graph.nodes
    .filter((n) => !seen.has(n.id))
    .map((n) => ({ code: 'node_unreachable', message: `Node '${n.id}' cannot be reached from the start node of ${scope.label}`, nodeId: n.id }));
};

/** Node ids on some cycle: strongly connected components of size > 1, or self-loops (Tarjan). */
function cycles({ graph, children }: ScopeFacts): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter);
    counter++;
    stack.push(v);
    onStack.add(v);
    for (const w of children.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || (children.get(v) ?? []).includes(v)) found.push(component.reverse());
  };
  for (const n of graph.nodes) if (!index.has(n.id)) visit(n.id);
  return found;
}

export const cycleRule: Rule = (scope) =>
  cycles(scope).map((ids) => ({
    code: 'graph_cycle',
    message: `Nodes ${ids.map((i) => `'${i}'`).join(', ')} form a cycle; repeat work with a loop or iteration node`,
    nodeId: ids[0]!,
  }));

/** `assign` writes a variable the nearest enclosing loop declares. */
export const assignRule: Rule = (scope) => {
  const issues: Issue[] = [];
  scope.graph.nodes.forEach((node, i) => {
    if (node.type !== 'assign') return;
    if (!scope.loop) {
      issues.push({ code: 'assign_outside_loop', message: `Node '${node.id}' (assign) must be inside a loop's graph`, nodeId: node.id, path: at(scope, 'nodes', i) });
      return;
    }
    const declared = Object.keys((scope.loop.data as { variables?: Record<string, unknown> } | undefined)?.variables ?? {});
    const assignments = (node.data as { assignments?: unknown } | undefined)?.assignments;
    if (!Array.isArray(assignments)) return;
    assignments.forEach((a: { variable?: unknown }, j) => {
      if (typeof a?.variable === 'string' && !declared.includes(a.variable)) {
        issues.push({
          code: 'assign_unknown_variable',
          message: `Loop '${scope.loop!.id}' has no variable '${a.variable}' (it has: ${declared.join(', ') || 'none'})`,
          nodeId: node.id,
          path: at(scope, 'nodes', i, 'data', 'assignments', j, 'variable'),
        });
      }
    });
  });
  return issues;
};
