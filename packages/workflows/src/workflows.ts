// Entry point of the workflow bundle the worker loads (workflowsPath).
export { runWorkflow } from './run.workflow';
