import type { RouteObject } from 'react-router';
import { IngestionJobPage, IngestionJobsPage } from './IngestionJobs';
import { KnowledgeList } from './KnowledgeList';
import { KnowledgePage } from './KnowledgePage';

/** The knowledge section's pages, under the signed-in frame. */
export const knowledgeRoutes: RouteObject[] = [
  { path: 'knowledge', element: <KnowledgeList /> },
  { path: 'knowledge/jobs', element: <IngestionJobsPage /> },
  { path: 'knowledge/jobs/:jobId', element: <IngestionJobPage /> },
  { path: 'knowledge/:id', element: <KnowledgePage /> },
];
