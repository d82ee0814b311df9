import { errorArea } from './error-spec';

/** Accounts and sessions: sign-up, sign-in, refresh tokens, password change, workspaces (apps/api/src/accounts). */
export const SESSION_ERRORS = errorArea({
  invalid_credentials: { status: 401, message: 'The email or the password is not right' },
  refresh_token_invalid: { status: 401, message: 'The refresh token is not valid (unknown, or its session was signed out): sign in again' },
  refresh_token_expired: { status: 401, message: 'The refresh token has expired: sign in again' },
  refresh_token_reused: { status: 401, message: 'The refresh token was already used: its session is revoked, sign in again' },
  signup_closed: { status: 403, message: 'Sign-up needs an invitation on this deployment' },
  current_password_invalid: { status: 403, message: 'The current password is not right' },
  email_taken: { status: 409, message: 'An account with this email already exists: sign in instead' },
  workspace_name_taken: { status: 409, message: "A workspace named '{name}' already exists: choose another name" },
  account_locked: { status: 429, message: 'Too many failed sign-ins: the account is locked, try again in {seconds} s' },
});
