import type { RouteObject } from 'react-router';
import { WorkflowList } from './WorkflowList';
import { WorkflowPage } from './WorkflowPage';

/** The workflows section's pages, under the signed-in frame. */
export const workflowsRoutes: RouteObject[] = [
  { path: 'workflows', element: <WorkflowList /> },
  { path: 'workflows/:id', element: <WorkflowPage /> },
];
