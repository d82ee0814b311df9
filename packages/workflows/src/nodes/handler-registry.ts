import { assignHandler } from './assign.handler';
import { effectfulHandler } from './effectful.handler';
import { endHandler } from './end.handler';
import { ifElseHandler } from './if-else.handler';
import { iterationHandler } from './iteration.handler';
import { loopHandler } from './loop.handler';
import type { NodeHandler } from './node-handler';
import { startHandler } from './start.handler';
import { subWorkflowHandler } from './sub-workflow.handler';
import { templateHandler } from './template.handler';
import { variableAggregatorHandler } from './variable-aggregator.handler';
import { waitHandler } from './wait.handler';

/** One handler per node type, keyed like the domain's NODE_TYPES registry. */
export const NODE_HANDLERS: Readonly<Record<string, NodeHandler>> = {
  start: startHandler,
  end: endHandler,
  template: templateHandler,
  'if-else': ifElseHandler,
  'variable-aggregator': variableAggregatorHandler,
  assign: assignHandler,
  iteration: iterationHandler,
  loop: loopHandler,
  wait: waitHandler,
  'sub-workflow': subWorkflowHandler,
  code: effectfulHandler('nodeCode', { timeout: '30s', maxAttempts: 1 }),
  'http-request': effectfulHandler('nodeHttpRequest', { timeout: '60s', maxAttempts: 3 }),
  llm: effectfulHandler('nodeLlm', { timeout: '10m', maxAttempts: 3 }),
  'knowledge-retrieval': effectfulHandler('nodeKnowledgeRetrieval', { timeout: '60s', maxAttempts: 3 }),
};
