import { Navigate, type RouteObject } from 'react-router';
import { ApiKeys } from './ApiKeys';
import { AuditLog } from './AuditLog';
import { Members } from './Members';
import { SettingsLayout } from './SettingsLayout';
import { Usage } from './Usage';

/** The settings section's pages, under the signed-in frame: members, API keys, usage and quotas, audit log. */
export const settingsRoutes: RouteObject[] = [
  {
    path: 'settings',
    element: <SettingsLayout />,
    children: [
      { index: true, element: <Navigate to="members" replace /> },
      { path: 'members', element: <Members /> },
      { path: 'api-keys', element: <ApiKeys /> },
      { path: 'usage', element: <Usage /> },
      { path: 'audit', element: <AuditLog /> },
    ],
  },
];
