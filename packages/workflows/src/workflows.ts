// Entry point of the workflow bundle the worker loads (workflowsPath).
export { runWorkflow } from './run.workflow';
// Ingestion (issue 10): registered by the ingestion worker, on its own task queue.
export { ingestionJobWorkflow } from './ingestion/ingestion-job.workflow';
export { ingestDocumentWorkflow } from './ingestion/ingest-document.workflow';
