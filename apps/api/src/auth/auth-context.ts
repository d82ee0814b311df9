import type { Role } from '@weft/domain';

/** Who is calling: an API key, or an account through its access token. */
export type Principal = { type: 'api_key'; id: string } | { type: 'account'; id: string };

/** The workspace a request is for, and what the caller may do in it. */
export interface AuthContext {
  tenantId: string;
  role: Role;
  /** an API key's scopes (empty: everything its role may do); always empty for an account */
  scopes: readonly string[];
  principal: Principal;
}

/** An account's access token: who, and which session. */
export interface AccountContext {
  accountId: string;
  sessionId: string;
}

declare module 'express-serve-static-core' {
  interface Request {
    /** set for every caller with a workspace (an API key, or an account naming one it belongs to) */
    auth: AuthContext;
    /** set for a caller with an account's access token */
    account?: AccountContext;
    /**
     * the workspace an access token named (header or claim) that its account is not a member of:
     * a workspace route answers 404 workspace_not_found for it; the account's own routes (its
     * workspaces, sign-out, password) still answer, so a person removed from the workspace they
     * were in can pick another
     */
    workspaceRefused?: string;
  }
}
