import type { RouteObject } from 'react-router';
import { Empty } from '../../components/states';

function ApprovalsPlaceholder() {
  return <Empty title="Approvals">This page is being built.</Empty>;
}

/** The approvals section's pages, under the signed-in frame. */
export const approvalsRoutes: RouteObject[] = [{ path: 'approvals', element: <ApprovalsPlaceholder /> }];

/** Pages outside the signed-in frame: the signed form link of an approval, for people without an account. */
export const publicApprovalRoutes: RouteObject[] = [];
