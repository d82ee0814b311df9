import type { RouteObject } from 'react-router';
import { RunPage } from './RunPage';
import { RunsList } from './RunsList';

/** The runs section's pages, under the signed-in frame. */
export const runsRoutes: RouteObject[] = [
  { path: 'runs', element: <RunsList /> },
  { path: 'runs/:id', element: <RunPage /> },
];
