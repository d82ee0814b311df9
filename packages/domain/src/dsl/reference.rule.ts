import type { Issue } from '../errors/domain.errors';
import { INNER_SCOPE_FIELDS } from '../nodes/container.schema';
import { nodeType } from '../nodes/registry';
import { findReferences, walkStrings, type Reference } from '../refs/reference';
import type { GraphNode } from './graph.schema';
import { ancestorsOf, type ScopeFacts } from './graph.scope';
import type { Rule } from './graph.rules';

export const SYS_FIELDS = ['runId', 'workflowId', 'startedAt'] as const;

/** Every node id of the document, inner graphs included. */
function allIds(scopes: ScopeFacts[]): Set<string> {
  return new Set(scopes.flatMap((s) => s.graph.nodes.map((n) => n.id)));
}

function outputsOf(node: GraphNode, scope: ScopeFacts): readonly string[] | 'any' {
  const def = nodeType(node.type);
  if (!def) return 'any';
  const home = scope.document.nodes.includes(node) ? scope.document : scope.graph;
  const outs = def.outputs(node, home.nodes.includes(node) ? home : { ...scope.document, inputs: {} });
  if (outs === 'any') return 'any';
  return node.onError === 'branch' ? [...outs, 'error'] : outs;
}

const LIQUID_BINDING = /\{%-?\s*(?:(?:for|tablerow)\s+([A-Za-z_]\w*)\s+in\s+([^%]*?)|assign\s+([A-Za-z_]\w*)\s*=[^%]*?|capture\s+([A-Za-z_]\w*))\s*-?%\}/g;
const COLLECTION = /^\(?\s*([A-Za-z_]\w*(?:\.(?:[A-Za-z_]\w*|\d+))*)/;

/**
 * A template's own Liquid names (`{% for d in search.results %}` binds `d`) are not node
 * references; the collection a `for` walks is one.
 */
function liquidNames(text: string): { bound: Set<string>; collections: Reference[] } {
  const bound = new Set<string>();
  const collections: Reference[] = [];
  for (const m of text.matchAll(LIQUID_BINDING)) {
    const name = m[1] ?? m[3] ?? m[4];
    if (name) bound.add(name);
    if (m[1]) {
      bound.add('forloop');
      const c = COLLECTION.exec(m[2] ?? '');
      if (c) {
        const [head, ...path] = c[1]!.split('.');
        collections.push({ raw: `{% for ${m[1]} in ${c[1]} %}`, nodeId: head!, path });
      }
    }
  }
  for (const c of [...collections]) if (bound.has(c.nodeId)) collections.splice(collections.indexOf(c), 1);
  return { bound, collections };
}

function referencesIn(node: GraphNode, text: string): Reference[] {
  if (node.type !== 'template') return findReferences(text);
  const { bound, collections } = liquidNames(text);
  return [...findReferences(text).filter((r) => !bound.has(r.nodeId)), ...collections];
}

function checkReference(ref: Reference, scope: ScopeFacts, visible: Set<string>, known: Set<string>, where: Pick<Issue, 'nodeId' | 'path'>): Issue | undefined {
  if (ref.nodeId === 'secrets') return undefined;
  const first = ref.path[0];
  if (ref.nodeId === 'sys') {
    if ((SYS_FIELDS as readonly string[]).includes(first ?? '')) return undefined;
    return { code: 'reference_unknown_output', message: `${ref.raw}: sys has ${SYS_FIELDS.join(', ')}`, ...where };
  }
  const local = scope.locals.get(ref.nodeId);
  let outputs: readonly string[] | 'any';
  let label: string;
  if (local) {
    outputs = local;
    label = `inside '${ref.nodeId}'`;
  } else {
    const target = visible.has(ref.nodeId) ? scope.byId.get(ref.nodeId) : scope.outer.get(ref.nodeId);
    if (!target) {
      if (!known.has(ref.nodeId)) return { code: 'reference_unknown_node', message: `${ref.raw} names no node of the workflow`, ...where };
      return { code: 'reference_not_upstream', message: `${ref.raw}: node '${ref.nodeId}' cannot have run before '${where.nodeId}'`, ...where };
    }
    outputs = outputsOf(target, scope);
    label = `node '${target.id}' (${target.type})`;
  }
  if (outputs === 'any' || (first !== undefined && outputs.includes(first))) return undefined;
  return { code: 'reference_unknown_output', message: `${ref.raw}: ${label} has: ${outputs.join(', ') || 'nothing'}`, ...where };
}

/** The data a node reads in its own scope: a container's inner graph and inner-scope fields are read inside. */
function ownScopeData(node: GraphNode): unknown {
  if (!nodeType(node.type)?.container || node.data === null || typeof node.data !== 'object') return node.data;
  const skip = new Set(['graph', ...(INNER_SCOPE_FIELDS[node.type] ?? [])]);
  return Object.fromEntries(Object.entries(node.data as Record<string, unknown>).filter(([k]) => !skip.has(k)));
}

/**
 * Every reference names a node that has surely run before (an ancestor in the same scope, or an
 * ancestor of an enclosing container), a container's own local, `sys` or `secrets`, and an output
 * that node's type has.
 */
export function referenceRule(scopes: ScopeFacts[]): Rule {
  const known = allIds(scopes);
  return (scope) => {
    const issues: Issue[] = [];
    scope.graph.nodes.forEach((node, i) => {
      const visible = ancestorsOf(node.id, scope.parents);
      for (const { text, path } of walkStrings(ownScopeData(node), [...scope.base, 'nodes', i, 'data'])) {
        for (const ref of referencesIn(node, text)) {
          const issue = checkReference(ref, scope, visible, known, { nodeId: node.id, path });
          if (issue) issues.push(issue);
        }
      }
    });
    const container = scope.container;
    if (container) {
      // `output` and `breakWhen` are read after the inner graph ran: any inner node may be named.
      const everything = new Set(scope.byId.keys());
      for (const field of INNER_SCOPE_FIELDS[container.type] ?? []) {
        const value = (container.data as Record<string, unknown>)[field];
        for (const { text, path } of walkStrings(value, [...scope.base.slice(0, -1), field])) {
          for (const ref of findReferences(text)) {
            const issue = checkReference(ref, scope, everything, known, { nodeId: container.id, path });
            if (issue) issues.push(issue);
          }
        }
      }
    }
    return issues;
  };
}
