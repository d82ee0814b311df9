import type { z } from 'zod';
import type { Issue } from '../errors/domain.errors';
import { DEFAULT_HANDLE, MAX_NODE_ID_LENGTH, NODE_ID_PATTERN, edgeId } from './graph.schema';
import { exactReference } from '../refs/reference';
import type { ScopeFacts } from './graph.scope';
import { isReservedNodeId } from './reserved-names';

export type Rule = (scope: ScopeFacts) => Issue[];

/**
 * Zod's issues as ours, under `code` unless the schema gave an issue its own code in
 * `params.code` (a bound broken, such as duration_out_of_range).
 */
export function zodIssues(error: z.ZodError, code: string, base: (string | number)[], nodeId?: string): Issue[] {
  return error.issues.map((i) => {
    const own = i.code === 'custom' ? (i.params as { code?: unknown } | undefined)?.code : undefined;
    return {
      code: typeof own === 'string' ? own : code,
      message: i.message,
      ...(nodeId !== undefined ? { nodeId } : {}),
      path: [...base, ...(i.path as (string | number)[])],
    };
  });
}

export const at = (scope: ScopeFacts, ...path: (string | number)[]) => [...scope.base, ...path];

/** Names for a message: the first few, then how many more (a message never grows with the graph). */
export function listed(names: readonly string[], max = 20): string {
  if (!names.length) return 'none';
  const shown = names.slice(0, max).join(', ');
  return names.length > max ? `${shown}, … (${names.length - max} more)` : shown;
}

export const nodeIdRule: Rule = (scope) => {
  const issues: Issue[] = [];
  scope.graph.nodes.forEach((node, i) => {
    const path = at(scope, 'nodes', i, 'id');
    if (!NODE_ID_PATTERN.test(node.id) || node.id.length > MAX_NODE_ID_LENGTH) {
      issues.push({ code: 'node_id_invalid', message: `Node id '${node.id}' must match ${NODE_ID_PATTERN} and have at most ${MAX_NODE_ID_LENGTH} characters`, nodeId: node.id, path });
    }
    if (isReservedNodeId(node.id)) {
      issues.push({ code: 'node_id_reserved', message: `Node id '${node.id}' is reserved (sys, env, secrets, and the names every object has, such as constructor)`, nodeId: node.id, path });
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
    const facts = scope.context.facts.of(node);
    const { def, parsed } = facts;
    if (facts.version && !facts.version.ok) {
      issues.push({ code: facts.version.code, message: facts.version.message, nodeId: node.id, path: at(scope, 'nodes', i, 'version') });
      return;
    }
    if (!def || !parsed) {
      issues.push({ code: 'node_type_unknown', message: `Node type '${node.type}' is not known`, nodeId: node.id, path: at(scope, 'nodes', i, 'type') });
      return;
    }
    if (!parsed.success) issues.push(...zodIssues(parsed.error, 'node_data_invalid', at(scope, 'nodes', i, 'data'), node.id));
    const data = parsed.success ? (parsed.data as Record<string, unknown>) : undefined;
    for (const field of data ? (def.referenceFields ?? []) : []) {
      const value = data![field];
      if (typeof value === 'string' && !exactReference(value)) {
        issues.push({ code: 'reference_expected', message: `'${field}' must be one reference, such as {{ node.output }}`, nodeId: node.id, path: at(scope, 'nodes', i, 'data', field) });
      }
    }
    const unsupported = def.effect ? [] : [...(node.retry ? ['retry'] : []), ...(node.timeout ? ['timeout'] : []), ...(node.onError && !def.container ? ['onError'] : [])];
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
    const handles = source && scope.context.facts.handles(source);
    const handle = edge.sourceHandle ?? DEFAULT_HANDLE;
    if (source && handles && !handles.set.has(handle)) {
      issues.push({
        code: 'edge_unknown_handle',
        message: `Node '${source.id}' has no handle '${handle}' (it has: ${listed(handles.list)})`,
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
  for (let next = 0; next < queue.length; next++) {
    for (const c of scope.children.get(queue[next]!) ?? []) {
      if (seen.has(c)) continue;
      seen.add(c);
      queue.push(c);
    }
  }
  return scope.graph.nodes
    .filter((n) => !seen.has(n.id))
    .map((n) => ({ code: 'node_unreachable', message: `Node '${n.id}' cannot be reached from the start node of ${scope.label}`, nodeId: n.id }));
};

/** Node ids on some cycle: strongly connected components of size > 1, or self-loops. */
export const cycleRule: Rule = (scope) => {
  const { list, cyclic } = scope.components();
  return list.filter((_, c) => cyclic[c]).map((ids) => ({
    code: 'graph_cycle',
    message: `Nodes ${listed(ids.map((i) => `'${i}'`))} form a cycle; repeat work with a loop or iteration node`,
    nodeId: ids[0]!,
  }));
};

/** `assign` writes a variable the nearest enclosing loop declares. */
export const assignRule: Rule = (scope) => {
  const issues: Issue[] = [];
  scope.graph.nodes.forEach((node, i) => {
    if (node.type !== 'assign') return;
    if (!scope.loop) {
      issues.push({ code: 'assign_outside_loop', message: `Node '${node.id}' (assign) must be inside a loop's graph`, nodeId: node.id, path: at(scope, 'nodes', i) });
      return;
    }
    const names = Object.keys((scope.loop.data as { variables?: Record<string, unknown> } | undefined)?.variables ?? {});
    const declared = new Set(names);
    const assignments = (node.data as { assignments?: unknown } | undefined)?.assignments;
    if (!Array.isArray(assignments)) return;
    assignments.forEach((a: { variable?: unknown }, j) => {
      if (typeof a?.variable === 'string' && !declared.has(a.variable)) {
        issues.push({
          code: 'assign_unknown_variable',
          message: `Loop '${scope.loop!.id}' has no variable '${a.variable}' (it has: ${listed(names)})`,
          nodeId: node.id,
          path: at(scope, 'nodes', i, 'data', 'assignments', j, 'variable'),
        });
      }
    });
  });
  return issues;
};
