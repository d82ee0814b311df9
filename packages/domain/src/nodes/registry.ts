import type { z } from 'zod';
import type { GraphNode } from '../dsl/graph.schema';
import { own } from '../values/json-value';
import { approvalNode } from './approval/approval.node';
import { assignNode } from './assign/assign.node';
import { codeNode } from './code/code.node';
import { endNode } from './end/end.node';
import { httpRequestNode } from './http-request/http-request.node';
import { ifElseNode } from './if-else/if-else.node';
import { iterationNode } from './iteration/iteration.node';
import { knowledgeRetrievalNode } from './knowledge-retrieval/knowledge-retrieval.node';
import { listOperatorNode } from './list-operator/list-operator.node';
import { llmNode } from './llm/llm.node';
import { loopNode } from './loop/loop.node';
import type { NodeTypeDefinition } from './node-type';
import { startNode } from './start/start.node';
import { subWorkflowNode } from './sub-workflow/sub-workflow.node';
import { templateNode } from './template/template.node';
import { variableAggregatorNode } from './variable-aggregator/variable-aggregator.node';
import { waitNode } from './wait/wait.node';

/** Each key is its definition's own `type` (checked by the compiler). */
function registry<const R extends { [K in keyof R]: NodeTypeDefinition<K & string, any> }>(types: R): R {
  return types;
}

/**
 * The one registry of node types, keyed by type. Adding a type adds one line here; the handler
 * registry (packages/workflows) and the executor table (packages/activities, for types whose
 * effect is an activity) are typed by these keys, so a type missing from either does not compile.
 */
export const NODE_TYPES = registry({
  start: startNode,
  end: endNode,
  'if-else': ifElseNode,
  template: templateNode,
  code: codeNode,
  'http-request': httpRequestNode,
  llm: llmNode,
  'knowledge-retrieval': knowledgeRetrievalNode,
  iteration: iterationNode,
  loop: loopNode,
  assign: assignNode,
  'variable-aggregator': variableAggregatorNode,
  wait: waitNode,
  approval: approvalNode,
  'sub-workflow': subWorkflowNode,
  'list-operator': listOperatorNode,
});

export type NodeTypeName = keyof typeof NODE_TYPES;
export type NodeDefinitionOf<K extends NodeTypeName> = (typeof NODE_TYPES)[K];
/** A type's data as its schema parses it (defaults filled). */
export type NodeDataOf<K extends NodeTypeName> = z.output<NodeDefinitionOf<K>['dataSchema']>;
/** Types this version of Weft runs (the others are validated and stored only). */
export type RunnableNodeType = { [K in NodeTypeName]: NodeDefinitionOf<K> extends { runnable: false } ? never : K }[NodeTypeName];
/** Runnable types whose work is an activity: each needs an executor in the worker. */
export type ActivityNodeType = { [K in RunnableNodeType]: NodeDefinitionOf<K> extends { effect: { kind: 'activity' } } ? K : never }[RunnableNodeType];
/** The activity type name of an activity node type (`nodeLlm`), as workflow histories record it. */
export type NodeActivityNameOf<K extends ActivityNodeType> = NodeDefinitionOf<K> extends { effect: { activity: infer A extends string } } ? A : never;

export function nodeType(type: string): NodeTypeDefinition<string, any> | undefined {
  return own(NODE_TYPES as Record<string, NodeTypeDefinition<string, any>>, type);
}

/** The version a node was written for: stamped when its graph was published; 1 in graphs from before versions. */
export function nodeVersionOf(node: Pick<GraphNode, 'version'>): number {
  return node.version ?? 1;
}

/** Every activity node type with its activity name, for the worker and the interpreter to agree on. */
export function activityNodeTypes(): { type: ActivityNodeType; activity: string }[] {
  return Object.values(NODE_TYPES as Record<string, NodeTypeDefinition<string, any>>)
    .filter((d) => d.runnable !== false && d.effect?.kind === 'activity')
    .map((d) => ({ type: d.type as ActivityNodeType, activity: (d.effect as { activity: string }).activity }));
}
