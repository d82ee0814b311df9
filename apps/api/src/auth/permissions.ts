import type { Role } from '@weft/domain';

/**
 * The one permission table: every route the API serves and every action a handler checks inside a
 * route, with who may do it. The router (http/route.ts `defineRoutes` takes each route's access
 * from here, and refuses a route that is missing), the OpenAPI document (`x-weft-roles`,
 * `x-weft-scope`) and test/api/permissions.test.ts (every route × role) all read this table.
 *
 * An entry is one of:
 * - `{ roles, scope }`: a workspace route. The caller is an API key or an account's access token
 *   of a member of the workspace, with one of the roles; an API key with scopes must also hold the
 *   route's scope (a key's scopes narrow its role, never widen it).
 * - `account`: an account's access token, no workspace needed (the caller's own account, its
 *   workspaces, accepting an invitation). API keys are refused.
 * - `anonymous`: no credentials; the handler reads and validates its input (sign-up, sign-in, refresh).
 * - `signed-link`: no credentials; the path carries a token the handler checks (approval forms).
 * - `operator-token`: the operator's token of the codec endpoint (codec/codec-access.ts).
 * - `public`: no credentials and no input (probes, the document, metrics with their own token).
 */

/** Permission areas a key's scopes are made of. */
export const SCOPES = [
  'workflows:read',
  'workflows:write',
  'runs:read',
  'runs:write',
  'approvals:decide',
  'knowledge:read',
  'knowledge:write',
  'secrets:write',
  'providers:write',
  'members:read',
  'members:write',
  'keys:write',
  'usage:read',
  'quotas:write',
  'audit:read',
] as const;
export type Scope = (typeof SCOPES)[number];

export function isScope(value: string): value is Scope {
  return (SCOPES as readonly string[]).includes(value);
}

export type AccessKind = 'public' | 'signed-link' | 'operator-token' | 'anonymous' | 'account';
export interface WorkspaceAccess {
  roles: readonly Role[];
  scope: Scope;
}
export type Permission = WorkspaceAccess | AccessKind;

/** Role sets, from everyone in a workspace to its owners only. */
export const ANY_MEMBER = ['owner', 'admin', 'developer', 'operator', 'viewer'] as const satisfies readonly Role[];
/** who runs workflows and decides approvals */
export const OPERATORS = ['owner', 'admin', 'developer', 'operator'] as const satisfies readonly Role[];
/** who edits workflows, knowledge and secrets */
export const BUILDERS = ['owner', 'admin', 'developer'] as const satisfies readonly Role[];
/** who manages the workspace: members, keys, providers, the audit log */
export const ADMINS = ['owner', 'admin'] as const satisfies readonly Role[];
export const OWNERS = ['owner'] as const satisfies readonly Role[];

const can = (roles: readonly Role[], scope: Scope): WorkspaceAccess => ({ roles, scope });

export const PERMISSIONS = {
  // probes, documents, metrics, the codec endpoint
  'GET /health/live': 'public',
  'GET /health/ready': 'public',
  'GET /health/deep': 'public',
  'GET /metrics': 'public',
  'GET /v1/openapi.json': 'public',
  'POST /codec/decode': 'operator-token',
  'POST /codec/encode': 'operator-token',

  // accounts and sessions
  'POST /v1/auth/sign-up': 'anonymous',
  'POST /v1/auth/sign-in': 'anonymous',
  'POST /v1/auth/refresh': 'anonymous',
  'POST /v1/auth/sign-out': 'account',
  'PUT /v1/auth/password': 'account',
  'GET /v1/workspaces': 'account',
  'POST /v1/workspaces': 'account',
  'POST /v1/invitations/:token/accept': 'account',

  // members, invitations, keys, usage, quotas, audit
  'GET /v1/members': can(ANY_MEMBER, 'members:read'),
  'POST /v1/members': can(ADMINS, 'members:write'),
  'PATCH /v1/members/:id': can(ADMINS, 'members:write'),
  // any member may leave (remove themself); removing another member is the action below
  'DELETE /v1/members/:id': can(ANY_MEMBER, 'members:write'),
  'GET /v1/invitations': can(ADMINS, 'members:read'),
  'POST /v1/invitations': can(ADMINS, 'members:write'),
  'DELETE /v1/invitations/:id': can(ADMINS, 'members:write'),
  'GET /v1/api-keys': can(ADMINS, 'keys:write'),
  'POST /v1/api-keys': can(ADMINS, 'keys:write'),
  'POST /v1/api-keys/:id/rotate': can(ADMINS, 'keys:write'),
  'DELETE /v1/api-keys/:id': can(ADMINS, 'keys:write'),
  'GET /v1/usage': can(ANY_MEMBER, 'usage:read'),
  'GET /v1/quotas': can(ANY_MEMBER, 'usage:read'),
  'PUT /v1/quotas': can(OWNERS, 'quotas:write'),
  'GET /v1/audit': can(ADMINS, 'audit:read'),

  // workflows and versions
  'POST /v1/workflows': can(BUILDERS, 'workflows:write'),
  'GET /v1/workflows': can(ANY_MEMBER, 'workflows:read'),
  'GET /v1/workflows/:id': can(ANY_MEMBER, 'workflows:read'),
  'PUT /v1/workflows/:id/draft': can(BUILDERS, 'workflows:write'),
  'GET /v1/workflows/:id/versions': can(ANY_MEMBER, 'workflows:read'),
  'POST /v1/workflows/:id/publish': can(BUILDERS, 'workflows:write'),
  'GET /v1/workflows/:id/versions/:version': can(ANY_MEMBER, 'workflows:read'),
  'POST /v1/workflows/:id/validate': can(ANY_MEMBER, 'workflows:read'),

  // runs, their nodes, events and history
  'POST /v1/workflows/:id/runs': can(OPERATORS, 'runs:write'),
  'GET /v1/runs': can(ANY_MEMBER, 'runs:read'),
  'GET /v1/runs/:id': can(ANY_MEMBER, 'runs:read'),
  'POST /v1/runs/:id/pause': can(OPERATORS, 'runs:write'),
  'POST /v1/runs/:id/resume': can(OPERATORS, 'runs:write'),
  'POST /v1/runs/:id/cancel': can(OPERATORS, 'runs:write'),
  'GET /v1/runs/:id/nodes': can(ANY_MEMBER, 'runs:read'),
  'POST /v1/runs/:id/rerun': can(OPERATORS, 'runs:write'),
  'GET /v1/runs/:id/events': can(ANY_MEMBER, 'runs:read'),
  'GET /v1/runs/:id/history': can(ANY_MEMBER, 'runs:read'),

  // approvals (forms: signed links)
  'GET /v1/approvals': can(ANY_MEMBER, 'runs:read'),
  'GET /v1/approvals/:id': can(ANY_MEMBER, 'runs:read'),
  'POST /v1/approvals/:id': can(OPERATORS, 'approvals:decide'),
  'POST /v1/runs/:id/approvals/:nodeId': can(OPERATORS, 'approvals:decide'),
  'GET /v1/forms/:token': 'signed-link',
  'POST /v1/forms/:token': 'signed-link',

  // secrets and model providers
  'PUT /v1/secrets/:name': can(BUILDERS, 'secrets:write'),
  'GET /v1/secrets': can(ANY_MEMBER, 'workflows:read'),
  'POST /v1/model-providers': can(ADMINS, 'providers:write'),
  'GET /v1/model-providers': can(ANY_MEMBER, 'workflows:read'),

  // knowledge, documents, ingestion jobs, retrieval
  'POST /v1/knowledge': can(BUILDERS, 'knowledge:write'),
  'GET /v1/knowledge': can(ANY_MEMBER, 'knowledge:read'),
  'GET /v1/knowledge/:id': can(ANY_MEMBER, 'knowledge:read'),
  'DELETE /v1/knowledge/:id': can(BUILDERS, 'knowledge:write'),
  'POST /v1/knowledge/:id/documents': can(BUILDERS, 'knowledge:write'),
  'GET /v1/knowledge/:id/documents': can(ANY_MEMBER, 'knowledge:read'),
  'GET /v1/knowledge/:id/documents/:docId': can(ANY_MEMBER, 'knowledge:read'),
  'DELETE /v1/knowledge/:id/documents/:docId': can(BUILDERS, 'knowledge:write'),
  'PUT /v1/knowledge/:id/documents/:docId': can(BUILDERS, 'knowledge:write'),
  'POST /v1/knowledge/:id/retrieve': can(OPERATORS, 'knowledge:read'),
  'GET /v1/ingestion-jobs': can(ANY_MEMBER, 'knowledge:read'),
  'GET /v1/ingestion-jobs/:id': can(ANY_MEMBER, 'knowledge:read'),
  'GET /v1/ingestion-jobs/:id/events': can(ANY_MEMBER, 'knowledge:read'),
  'POST /v1/ingestion-jobs/:id/retry': can(BUILDERS, 'knowledge:write'),
  'POST /v1/ingestion-jobs/:id/cancel': can(BUILDERS, 'knowledge:write'),

  // actions a handler checks inside a route
  /** start or rerun a run of the draft (POST /v1/workflows/:id/runs with version "draft", reruns of draft runs) */
  'action:run-draft': can(BUILDERS, 'workflows:write'),
  /** remove another member of the workspace (DELETE /v1/members/:id of someone else; leaving is anyone's) */
  'action:remove-member': can(ADMINS, 'members:write'),
} as const satisfies Record<string, Permission>;

export type PermissionKey = keyof typeof PERMISSIONS;
export type RouteKey = Extract<PermissionKey, `${'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'} ${string}`>;
export type ActionKey = Extract<PermissionKey, `action:${string}`>;

/** The table entry of a route (`POST /v1/workflows`), or undefined when the table has none. */
export function permissionOf(method: string, path: string, table: Readonly<Record<string, Permission>> = PERMISSIONS): Permission | undefined {
  return table[`${method.toUpperCase()} ${path}`];
}

/** Whether a caller with the role (and the key's scopes, empty for every scope of the role) may do what the entry allows. */
export function allows(entry: WorkspaceAccess, role: Role, scopes: readonly string[]): boolean {
  return entry.roles.includes(role) && (scopes.length === 0 || scopes.includes(entry.scope));
}
