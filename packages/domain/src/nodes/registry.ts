import type { NodeTypeDefinition } from './node-type';
import { approvalNode } from './approval.node';
import { assignNode } from './assign.node';
import { codeNode } from './code.node';
import { endNode } from './end.node';
import { httpRequestNode } from './http-request.node';
import { ifElseNode } from './if-else.node';
import { iterationNode } from './iteration.node';
import { knowledgeRetrievalNode } from './knowledge-retrieval.node';
import { llmNode } from './llm.node';
import { loopNode } from './loop.node';
import { startNode } from './start.node';
import { subWorkflowNode } from './sub-workflow.node';
import { templateNode } from './template.node';
import { variableAggregatorNode } from './variable-aggregator.node';
import { waitNode } from './wait.node';

/** The one registry of node types, keyed by type. Adding a type adds one line here. */
export const NODE_TYPES: Readonly<Record<string, NodeTypeDefinition<any>>> = {
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
};

export function nodeType(type: string): NodeTypeDefinition<any> | undefined {
  return Object.prototype.hasOwnProperty.call(NODE_TYPES, type) ? NODE_TYPES[type] : undefined;
}
