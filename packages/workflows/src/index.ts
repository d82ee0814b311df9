// The worker loads the workflow bundle from '@weft/workflows/dist/workflows' (see apps/worker).
export type { NodeContext, NodeHandler, NodeResult } from './nodes/node-handler';
export { pendingNodesQuery } from './run.workflow';
