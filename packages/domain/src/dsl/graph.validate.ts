import type { Issue } from '../errors/domain.errors';
import { graphSchema, type Graph } from './graph.schema';
import { scopesOf } from './graph.scope';
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
import { referenceRule } from './reference.rule';

export { SYS_FIELDS } from './reference.rule';

const SCOPE_RULES: Rule[] = [nodeIdRule, nodeTypeRule, startEndRule, edgeRule, reachabilityRule, cycleRule, assignRule];

export type GraphValidation = { ok: true; graph: Graph; issues: [] } | { ok: false; issues: Issue[] };

/**
 * Runs every rule on the graph and on the inner graph of every iteration and loop, and reports
 * every issue at once.
 */
export function validateGraph(input: unknown): GraphValidation {
  const parsed = graphSchema.safeParse(input);
  if (!parsed.success) return { ok: false, issues: zodIssues(parsed.error, 'graph_malformed', []) };
  const graph = parsed.data;
  const scopes = scopesOf(graph);
  const rules = [...SCOPE_RULES, referenceRule(scopes)];
  const issues = [...duplicateIdIssues(scopes), ...scopes.flatMap((scope) => rules.flatMap((rule) => rule(scope)))];
  return issues.length ? { ok: false, issues } : { ok: true, graph, issues: [] };
}
