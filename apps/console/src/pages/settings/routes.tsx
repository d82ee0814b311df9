import type { RouteObject } from 'react-router';
import { Empty } from '../../components/states';

function SettingsPlaceholder() {
  return <Empty title="Settings">This page is being built.</Empty>;
}

/** The settings section's pages, under the signed-in frame. */
export const settingsRoutes: RouteObject[] = [{ path: 'settings', element: <SettingsPlaceholder /> }];
