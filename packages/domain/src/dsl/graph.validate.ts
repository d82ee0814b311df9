import type { Issue } from '../errors/domain.errors';
import { nodeCheckRule, policyBoundsRule, reservedNameRule } from './graph.bounds.rules';
import { DEFAULT_GRAPH_LIMITS, graphSizeIssues, type GraphLimits } from './graph.limits';
import { graphSchema, type Graph, type GraphNode } from './graph.schema';
import { scopesOf, type ValidationContext } from './graph.scope';
import {
  assignRule,
  cycleRule,
  duplicateIdIssues,
  edgeRule,
  nodeIdRule,
  nodeTypeRule,
  reachabilityRule,
  startEndRule,
  zodIssues,
  type Rule,
} from './graph.rules';
import { NodeFactsCache } from './node-facts';
import { referenceRule } from './reference.rule';

export { SYS_FIELDS } from './reference.rule';

const SCOPE_RULES: Rule[] = [
  nodeIdRule,
  nodeTypeRule,
  policyBoundsRule,
  reservedNameRule,
  nodeCheckRule,
  startEndRule,
  edgeRule,
  reachabilityRule,
  cycleRule,
  assignRule,
];

/** At most this many issues are reported; a last one says how many more there were. */
export const MAX_REPORTED_ISSUES = 500;
/** Texts quoted in issues (messages, ids, path keys) are cut to this many characters. */
const MAX_ISSUE_TEXT = 200;

export interface GraphValidationOptions {
  /** size caps, checked before anything else; DEFAULT_GRAPH_LIMITS for those not given */
  limits?: Partial<GraphLimits>;
  /** the time of validation (the domain reads no clock): a wait's `until` is bounded from it; not checked without it */
  now?: Date;
  /**
   * Checks of node data that need more than the domain holds (an llm node's response schema is
   * checked with the JSON Schema library the worker validates answers with): issues with paths
   * relative to the node's data, run on every node of every scope once the document parses.
   */
  checkNodeData?: NodeDataCheck;
}

export type NodeDataCheck = (node: GraphNode) => Issue[];

const nodeDataRule =
  (check: NodeDataCheck): Rule =>
  (scope) =>
    scope.graph.nodes.flatMap((node, i) =>
      check(node).map((issue) => ({ ...issue, nodeId: node.id, path: [...scope.base, 'nodes', i, 'data', ...(issue.path ?? [])] })),
    );

export type GraphValidation = { ok: true; graph: Graph; issues: [] } | { ok: false; issues: Issue[] };

const clip = (text: string) => (text.length > MAX_ISSUE_TEXT ? `${text.slice(0, MAX_ISSUE_TEXT)}…` : text);

/**
 * Issues quote user text (ids, handles, keys) and may be many: their number and each text are
 * bounded, so that what a graph makes the API send back cannot grow beyond what the graph is.
 */
function bounded(issues: Issue[]): Issue[] {
  const kept = issues.slice(0, MAX_REPORTED_ISSUES).map((i) => ({
    ...i,
    message: i.message.length > 4 * MAX_ISSUE_TEXT ? `${i.message.slice(0, 4 * MAX_ISSUE_TEXT)}…` : i.message,
    ...(i.nodeId !== undefined ? { nodeId: clip(i.nodeId) } : {}),
    ...(i.edgeId !== undefined ? { edgeId: clip(i.edgeId) } : {}),
    ...(i.path ? { path: i.path.map((p) => (typeof p === 'string' ? clip(p) : p)) } : {}),
  }));
  if (issues.length > MAX_REPORTED_ISSUES) {
    kept.push({ code: 'graph_issues_truncated', message: `${issues.length - MAX_REPORTED_ISSUES} more issues are not shown; fix these first` });
  }
  return kept;
}

/**
 * Checks the size caps first, then runs every rule on the graph and on the inner graph of every
 * iteration and loop, and reports every issue at once. Past a cap nothing else is checked. Work is
 * linear in the size of the graph, apart from the ancestor questions of the reference rule, which
 * are answered 32 at a time (graph.ancestry.ts).
 */
export function validateGraph(input: unknown, options: GraphValidationOptions = {}): GraphValidation {
  const limits: GraphLimits = { ...DEFAULT_GRAPH_LIMITS, ...(options.limits ?? {}) };
  const capped = graphSizeIssues(input, limits);
  if (capped.length) return { ok: false, issues: bounded(capped) };
  const parsed = graphSchema.safeParse(input);
  if (!parsed.success) return { ok: false, issues: bounded(zodIssues(parsed.error, 'graph_malformed', [])) };
  const graph = parsed.data;
  const now = options.now?.getTime();
  const context: ValidationContext = { document: graph, raw: input, facts: new NodeFactsCache(graph), ...(now !== undefined && !Number.isNaN(now) ? { now } : {}) };
  const scopes = scopesOf(context);
  const rules = [...SCOPE_RULES, referenceRule(scopes), ...(options.checkNodeData ? [nodeDataRule(options.checkNodeData)] : [])];
  const issues = [...duplicateIdIssues(scopes), ...scopes.flatMap((scope) => rules.flatMap((rule) => rule(scope)))];
  return issues.length ? { ok: false, issues: bounded(issues) } : { ok: true, graph, issues: [] };
}
