import { DomainError, describe } from '@weft/domain';

/** The caller's workspace and credentials (auth/auth.middleware.ts); codes in the catalogue's account.errors.ts. */
export class WorkspaceRequiredError extends DomainError {
  readonly code = 'workspace_required';
  constructor() {
    super(describe('workspace_required', {}));
  }
}

export class WorkspaceNotFoundError extends DomainError {
  readonly code = 'workspace_not_found';
  constructor(id: string) {
    super(describe('workspace_not_found', { id }));
  }
}

export class AccountRequiredError extends DomainError {
  readonly code = 'account_required';
  constructor() {
    super(describe('account_required', {}));
  }
}

export class ScopeForbiddenError extends DomainError {
  readonly code = 'scope_forbidden';
  constructor(scope: string) {
    super(describe('scope_forbidden', { scope }), { scope });
  }
}
