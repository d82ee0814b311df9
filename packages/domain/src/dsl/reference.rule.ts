import type { Issue } from '../errors/domain.errors';
import { nodeType } from '../nodes/registry';
import { findReferences, walkStrings, type Reference } from '../refs/reference';
import { templateVariables } from '../templates/template-engine';
import { answerAncestorQueries, type AncestorQuery } from './graph.ancestry';
import type { GraphNode } from './graph.schema';
import type { Names, ScopeFacts } from './graph.scope';
import { listed, type Rule } from './graph.rules';

export const SYS_FIELDS = ['runId', 'workflowId', 'startedAt'] as const;

/**
 * A template node's text is Liquid: its references are the variables Liquid's own analysis finds
 * it reading from outside (its loop variables, `forloop` and the names it assigns or captures are
 * its own). A template Liquid cannot parse yields none here; it fails when rendered, with
 * `template_error`.
 */
function liquidReferences(text: string): Reference[] {
  return (templateVariables(text) ?? []).map((v) => ({ raw: `{{ ${v.text} }}`, nodeId: v.head, path: v.path }));
}

/** The data a node reads in its own scope: a container's inner graph and inner-scope fields are read inside. */
function ownScopeData(node: GraphNode, container: boolean): unknown {
  if (!container || node.data === null || typeof node.data !== 'object') return node.data;
  const skip = new Set(['graph', ...(nodeType(node.type)?.container?.innerScopeFields ?? [])]);
  return Object.fromEntries(Object.entries(node.data as Record<string, unknown>).filter(([k]) => !skip.has(k)));
}

/** A node that may have run before the reader: the first candidate whose ancestor query holds. */
interface Candidate {
  scope: ScopeFacts;
  query: number;
  node: GraphNode;
}

/** The node that reads a reference, and the string it is in (whose path is worked out only for an issue). */
interface Where {
  nodeId: string;
  text: { readonly path: (string | number)[] };
}

const placed = (where: Where): Pick<Issue, 'nodeId' | 'path'> => ({ nodeId: where.nodeId, path: where.text.path });

/** One reference still to be judged once the ancestor queries are answered. */
interface Pending {
  ref: Reference;
  where: Where;
  /** set when the reference is settled without a query: an issue, or null for none */
  settled?: Issue | null;
  /** a node of the reader's own scope every one of whose nodes counts as run (inner-scope fields) */
  visible?: GraphNode;
  candidates: Candidate[];
  known: boolean;
}

/**
 * Every reference names a node that has surely run before (an ancestor in the same scope, or an
 * ancestor of an enclosing container), a container's own local, `sys` or `secrets`, and an output
 * that node's type has. References are collected from every scope first, then the ancestor
 * questions of each scope are answered in one batched pass (graph.ancestry.ts), so the cost grows
 * with the graph, not with the graph times its references.
 */
export function referenceRule(scopes: ScopeFacts[]): Rule {
  const known = new Set<string>();
  for (const s of scopes) for (const n of s.graph.nodes) known.add(n.id);
  const queries = new Map<ScopeFacts, AncestorQuery[]>();
  const ask = (scope: ScopeFacts, ancestor: string, of: string): number => {
    let list = queries.get(scope);
    if (!list) queries.set(scope, (list = []));
    return list.push({ ancestor, of }) - 1;
  };

  /** Where the referenced node may be found as surely run: the reader's scope, then each enclosing one. */
  const collect = (scope: ScopeFacts, reader: string | undefined, ref: Reference, where: Pending['where']): Pending => {
    const pending: Pending = { ref, where, candidates: [], known: known.has(ref.nodeId) };
    if (ref.nodeId === 'secrets') {
      pending.settled = null;
    } else if (ref.nodeId === 'sys') {
      const ok = (SYS_FIELDS as readonly string[]).includes(ref.path[0] ?? '');
      pending.settled = ok ? null : { code: 'reference_unknown_output', message: `${ref.raw}: sys has ${SYS_FIELDS.join(', ')}`, ...placed(where) };
    }
    const local = pending.settled === undefined ? scope.locals.get(ref.nodeId) : undefined;
    if (local) pending.settled = outputIssue(ref, local, `inside '${ref.nodeId}'`, where);
    if (pending.settled !== undefined) return pending;
    const own = scope.byId.get(ref.nodeId);
    if (own && reader === undefined) pending.visible = own;
    else if (own) pending.candidates.push({ scope, node: own, query: ask(scope, ref.nodeId, reader!) });
    for (let s: ScopeFacts | undefined = scope; s?.parent && s.container; s = s.parent) {
      const outer = s.parent.byId.get(ref.nodeId);
      if (outer) pending.candidates.push({ scope: s.parent, node: outer, query: ask(s.parent, ref.nodeId, s.container.id) });
    }
    return pending;
  };

  // Liquid's analysis costs tens of microseconds a template: once per distinct text per validation.
  const analysed = new Map<string, Reference[]>();
  const liquid = (text: string) => analysed.get(text) ?? analysed.set(text, liquidReferences(text)).get(text)!;
  const collected = new Map<ScopeFacts, Pending[]>();
  for (const scope of scopes) {
    const list: Pending[] = [];
    scope.graph.nodes.forEach((node, i) => {
      const def = scope.context.facts.of(node).def;
      const fieldAt = scope.base.length + 3;
      for (const text of walkStrings(ownScopeData(node, !!def?.container), [...scope.base, 'nodes', i, 'data'])) {
        // A field the type renders with Liquid: its references are what Liquid reads.
        const isLiquid = def?.liquidFields !== undefined && def.liquidFields.includes(String(text.path[fieldAt]));
        for (const ref of isLiquid ? liquid(text.text) : findReferences(text.text)) list.push(collect(scope, node.id, ref, { nodeId: node.id, text }));
      }
    });
    const container = scope.container;
    if (container) {
      // `output` and `breakWhen` are read after the inner graph ran: any inner node may be named.
      for (const field of nodeType(container.type)?.container?.innerScopeFields ?? []) {
        const value = (container.data as Record<string, unknown>)[field];
        for (const text of walkStrings(value, [...scope.base.slice(0, -1), field])) {
          for (const ref of findReferences(text.text)) list.push(collect(scope, undefined, ref, { nodeId: container.id, text }));
        }
      }
    }
    collected.set(scope, list);
  }

  const answers = new Map<ScopeFacts, boolean[]>();
  for (const [scope, list] of queries) answers.set(scope, answerAncestorQueries(scope.components(), scope.children, list));

  return (scope) => {
    const issues: Issue[] = [];
    for (const p of collected.get(scope) ?? []) {
      const issue = p.settled !== undefined ? p.settled : judge(scope, p, answers);
      if (issue) issues.push(issue);
    }
    return issues;
  };
}

function judge(scope: ScopeFacts, p: Pending, answers: Map<ScopeFacts, boolean[]>): Issue | null {
  const { ref, where } = p;
  const target = p.visible ?? p.candidates.find((c) => answers.get(c.scope)?.[c.query])?.node;
  if (!target) {
    if (!p.known) return { code: 'reference_unknown_node', message: `${ref.raw} names no node of the workflow`, ...placed(where) };
    return { code: 'reference_not_upstream', message: `${ref.raw}: node '${ref.nodeId}' cannot have run before '${where.nodeId}'`, ...placed(where) };
  }
  const outputs = scope.context.facts.outputs(target);
  if (outputs === 'any') return null;
  return outputIssue(ref, outputs, `node '${target.id}' (${target.type})`, where);
}

function outputIssue(ref: Reference, outputs: Names, label: string, where: Where): Issue | null {
  const first = ref.path[0];
  if (first !== undefined && outputs.set.has(first)) return null;
  const names = outputs.list.length ? listed(outputs.list) : 'nothing';
  return { code: 'reference_unknown_output', message: `${ref.raw}: ${label} has: ${names}`, ...placed(where) };
}
