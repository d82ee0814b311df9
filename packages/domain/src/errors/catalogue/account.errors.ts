import { errorArea } from './error-spec';

/** Who the caller is and which workspace a request is for (auth/auth.middleware.ts). */
export const ACCOUNT_ERRORS = errorArea({
  workspace_required: { status: 400, message: 'Name the workspace of this request with the X-Workspace-Id header (GET /v1/workspaces lists yours)' },
  workspace_header_invalid: { status: 400, message: 'X-Workspace-Id is not a workspace id' },
  account_required: { status: 403, message: "This needs an account's access token, not an API key" },
  scope_forbidden: { status: 403, message: "This needs the scope '{scope}', which the API key does not have" },
  workspace_not_found: { status: 404, message: "workspace '{id}' was not found" },
});
