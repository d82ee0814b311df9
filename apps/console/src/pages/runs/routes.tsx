import type { RouteObject } from 'react-router';
import { Empty } from '../../components/states';

function RunsPlaceholder() {
  return <Empty title="Runs">This page is being built.</Empty>;
}

/** The runs section's pages, under the signed-in frame. */
export const runsRoutes: RouteObject[] = [{ path: 'runs', element: <RunsPlaceholder /> }];
