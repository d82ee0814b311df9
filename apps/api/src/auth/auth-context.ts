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
  }
}
