import { DomainError, describe, type ApiErrorCode } from '@weft/domain';

/** The codes the account and session routes answer with of their own (catalogue: session.errors.ts). */
type SessionCode = Extract<
  ApiErrorCode,
  | 'invalid_credentials'
  | 'refresh_token_invalid'
  | 'refresh_token_expired'
  | 'refresh_token_reused'
  | 'signup_closed'
  | 'current_password_invalid'
  | 'email_taken'
  | 'workspace_name_taken'
  | 'account_locked'
>;

/** A refusal of the account routes; its status is the catalogue's for its code. */
export class SessionError extends DomainError {
  constructor(
    readonly code: SessionCode,
    message: string,
    details?: unknown,
  ) {
    super(message, details);
  }
}

/** The account is locked after too many failed sign-ins: 429 with Retry-After (the router sets the header). */
export class AccountLockedError extends SessionError {
  constructor(readonly retryAfterSeconds: number) {
    super('account_locked', describe('account_locked', { seconds: retryAfterSeconds }), { retryAfterSeconds });
  }
}

const plain = (code: Exclude<SessionCode, 'workspace_name_taken' | 'account_locked'>) => () => new SessionError(code, describe(code, {}));
export const invalidCredentials = plain('invalid_credentials');
export const refreshTokenInvalid = plain('refresh_token_invalid');
export const refreshTokenExpired = plain('refresh_token_expired');
export const refreshTokenReused = plain('refresh_token_reused');
export const signupClosed = plain('signup_closed');
export const currentPasswordInvalid = plain('current_password_invalid');
export const emailTaken = plain('email_taken');
export const workspaceNameTaken = (name: string) => new SessionError('workspace_name_taken', describe('workspace_name_taken', { name }));
