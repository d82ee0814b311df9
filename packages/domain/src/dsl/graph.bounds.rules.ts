import type { Issue } from '../errors/domain.errors';
import { DURATION_BOUNDS, type DurationBound } from './duration';
import { nodePolicyBoundsSchema } from './graph.schema';
import { at, zodIssues, type Rule } from './graph.rules';
import { isPrototypeName } from './reserved-names';

const policySchemas = new Map<DurationBound, ReturnType<typeof nodePolicyBoundsSchema>>();
const policySchema = (timeout: DurationBound) => policySchemas.get(timeout) ?? policySchemas.set(timeout, nodePolicyBoundsSchema(timeout)).get(timeout)!;

/** A node's `timeout` and `retry` intervals within DURATION_BOUNDS (effectful nodes only: others are refused them). */
export const policyBoundsRule: Rule = (scope) => {
  const issues: Issue[] = [];
  scope.graph.nodes.forEach((node, i) => {
    const def = scope.context.facts.of(node).def;
    if ((node.timeout === undefined && node.retry === undefined) || !def?.effect) return;
    const parsed = policySchema(def.timeoutBound ?? DURATION_BOUNDS.nodeTimeout).safeParse({ timeout: node.timeout, retry: node.retry });
    if (!parsed.success) issues.push(...zodIssues(parsed.error, 'node_policy_invalid', at(scope, 'nodes', i), node.id));
  });
  return issues;
};

/** The checks a node type makes of its own data beyond its schema (NodeTypeDefinition.check). */
export const nodeCheckRule: Rule = (scope) => {
  const issues: Issue[] = [];
  scope.graph.nodes.forEach((node, i) => {
    const def = scope.context.facts.of(node).def;
    const data = def?.check ? scope.context.facts.data(node) : undefined;
    if (!def?.check || data === undefined) return;
    for (const issue of def.check(data, { now: scope.context.now })) issues.push({ ...issue, nodeId: node.id, path: at(scope, 'nodes', i, 'data', ...issue.path) });
  });
  return issues;
};

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

function reservedKeys(value: unknown, path: (string | number)[], what: string, nodeId?: string): Issue[] {
  if (!isRecord(value)) return [];
  return Object.keys(value)
    .filter(isPrototypeName)
    .map((name) => ({
      code: 'name_reserved',
      message: `'${name}' cannot be ${what}: every object already has a member of that name`,
      ...(nodeId !== undefined ? { nodeId } : {}),
      path: [...path, name],
    }));
}

/**
 * Names that become keys of workflow state (declared inputs, outputs, variables, groups, fields,
 * a node's default outputs) may not be names every object has. Read from the document as given:
 * parsing drops a `__proto__` key without a word.
 */
export const reservedNameRule: Rule = (scope) => {
  const issues: Issue[] = [];
  // The parsed graph keeps `data` as given but copies the rest of each node; a container's data
  // is as given, so its inner graph's nodes are too.
  const raw = (scope.container ? (scope.container.data as { graph?: unknown }).graph : scope.context.raw) as { inputs?: unknown; nodes?: unknown[] };
  if (!scope.container) issues.push(...reservedKeys(raw.inputs, ['inputs'], 'an input name'));
  scope.graph.nodes.forEach((node, i) => {
    const rawDefault = (raw.nodes?.[i] as { default?: unknown } | undefined)?.default;
    issues.push(...reservedKeys(rawDefault, at(scope, 'nodes', i, 'default'), 'an output name', node.id));
    const def = scope.context.facts.of(node).def;
    if (!def?.namedFields || !isRecord(node.data)) return;
    for (const field of def.namedFields) {
      if (!Object.prototype.hasOwnProperty.call(node.data, field)) continue;
      issues.push(...reservedKeys(node.data[field], at(scope, 'nodes', i, 'data', field), `a name in "${field}"`, node.id));
    }
  });
  return issues;
};
