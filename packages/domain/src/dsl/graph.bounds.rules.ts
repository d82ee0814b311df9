import type { Issue } from '../errors/domain.errors';
import type { WaitData } from '../nodes/wait/wait.node';
import { DURATION_BOUNDS, formatDuration, type DurationBound } from './duration';
import { DURATION_OUT_OF_RANGE, nodePolicyBoundsSchema } from './graph.schema';
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

/**
 * A wait's `until` at most DURATION_BOUNDS.waitUntilAhead after now, when the caller said when now
 * is (the domain reads no clock). The interpreter holds the node to the same bound when it runs.
 */
export const waitUntilRule: Rule = (scope) => {
  const now = scope.context.now;
  if (now === undefined) return [];
  const max = DURATION_BOUNDS.waitUntilAhead.max;
  const issues: Issue[] = [];
  scope.graph.nodes.forEach((node, i) => {
    if (node.type !== 'wait') return;
    const until = (scope.context.facts.data(node) as WaitData | undefined)?.until;
    if (until === undefined || !(Date.parse(until) - now > max)) return;
    issues.push({
      code: DURATION_OUT_OF_RANGE,
      message: `until must be at most ${formatDuration(max)} after now (${new Date(now).toISOString()})`,
      nodeId: node.id,
      path: at(scope, 'nodes', i, 'data', 'until'),
    });
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
