import type { NodeDataOf, RunnableNodeType } from '@weft/domain';
import { approvalHandler } from './approval/approval.handler';
import { assignHandler } from './assign/assign.handler';
import { activityHandler } from './shared/activity.handler';
import { endHandler } from './end/end.handler';
import { ifElseHandler } from './if-else/if-else.handler';
import { iterationHandler } from './iteration/iteration.handler';
import { knowledgeRetrievalHandler } from './knowledge-retrieval/knowledge-retrieval.handler';
import { listOperatorHandler } from './list-operator/list-operator.handler';
import { loopHandler } from './loop/loop.handler';
import type { NodeHandler } from './node-handler';
import { startHandler } from './start/start.handler';
import { subWorkflowHandler } from './sub-workflow/sub-workflow.handler';
import { templateHandler } from './template/template.handler';
import { variableAggregatorHandler } from './variable-aggregator/variable-aggregator.handler';
import { waitHandler } from './wait/wait.handler';

/** One handler per runnable node type of the domain's NODE_TYPES, typed by its data: a type without one does not compile. */
export type HandlerRegistry = { readonly [K in RunnableNodeType]: NodeHandler<NodeDataOf<K>> };

export const NODE_HANDLERS: HandlerRegistry = {
  start: startHandler,
  end: endHandler,
  template: templateHandler,
  'if-else': ifElseHandler,
  'variable-aggregator': variableAggregatorHandler,
  assign: assignHandler,
  iteration: iterationHandler,
  loop: loopHandler,
  wait: waitHandler,
  approval: approvalHandler,
  'sub-workflow': subWorkflowHandler,
  'list-operator': listOperatorHandler,
  code: activityHandler('code'),
  'http-request': activityHandler('http-request'),
  llm: activityHandler('llm'),
  'knowledge-retrieval': knowledgeRetrievalHandler,
};
