import { Navigate, type RouteObject } from 'react-router';
import { Layout } from './components/Layout';
import { NotFound } from './pages/NotFound';
import { SignIn } from './pages/SignIn';
import { approvalsRoutes, publicApprovalRoutes } from './pages/approvals/routes';
import { knowledgeRoutes } from './pages/knowledge/routes';
import { runsRoutes } from './pages/runs/routes';
import { settingsRoutes } from './pages/settings/routes';
import { workflowsRoutes } from './pages/workflows/routes';

/** Every page of the console, under /console. Each section keeps its own pages in pages/<section>/. */
export const routes: RouteObject[] = [
  { path: '/sign-in', element: <SignIn /> },
  ...publicApprovalRoutes,
  {
    path: '/',
    element: <Layout />,
    children: [
      { index: true, element: <Navigate to="/workflows" replace /> },
      ...workflowsRoutes,
      ...runsRoutes,
      ...approvalsRoutes,
      ...knowledgeRoutes,
      ...settingsRoutes,
      { path: '*', element: <NotFound /> },
    ],
  },
];
