import type { RouteObject } from 'react-router';
import { FormLinkPage } from './FormLinkPage';
import { ApprovalsInbox } from './Inbox';

/** The approvals section's pages, under the signed-in frame. */
export const approvalsRoutes: RouteObject[] = [{ path: 'approvals', element: <ApprovalsInbox /> }];

/** Pages outside the signed-in frame: the signed form link of an approval, for people without an account. */
export const publicApprovalRoutes: RouteObject[] = [{ path: '/forms/:token', element: <FormLinkPage /> }];
