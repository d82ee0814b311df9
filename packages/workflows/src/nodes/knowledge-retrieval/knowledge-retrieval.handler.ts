import { patched } from '@temporalio/workflow';
import type { KnowledgeRetrievalData } from '@weft/domain';
import { failed, type NodeHandler } from '../node-handler';
import { activityHandler } from '../shared/activity.handler';

/** Marks runs whose knowledge-retrieval nodes run (before, the node type was refused when the run reached it). */
export const KNOWLEDGE_RETRIEVAL_NODE_PATCH = 'weft-knowledge-retrieval-node';

const retrieve = activityHandler('knowledge-retrieval');

/**
 * Retrieval is an activity like any effectful node (nodeKnowledgeRetrieval, in the run's tenant).
 * A run recorded before the type ran saw this node fail with node_type_not_supported, and its
 * history may go on from there (an error branch, a default output): it replays that way.
 */
export const knowledgeRetrievalHandler: NodeHandler<KnowledgeRetrievalData> = async (ctx) => {
  if (!patched(KNOWLEDGE_RETRIEVAL_NODE_PATCH)) return failed('node_type_not_supported', `Node type '${ctx.node.type}' cannot run in this version of Weft`);
  return retrieve(ctx);
};
