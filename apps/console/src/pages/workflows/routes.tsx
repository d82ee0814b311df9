import type { RouteObject } from 'react-router';
import { Empty } from '../../components/states';

function WorkflowsPlaceholder() {
  return <Empty title="Workflows">This page is being built.</Empty>;
}

/** The workflows section's pages, under the signed-in frame. */
export const workflowsRoutes: RouteObject[] = [{ path: 'workflows', element: <WorkflowsPlaceholder /> }];
