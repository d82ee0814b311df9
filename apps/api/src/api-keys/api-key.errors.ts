import { DomainError, describe } from '@weft/domain';

/** Codes in the catalogue's api-key.errors.ts. */
export class ApiKeyNotFoundError extends DomainError {
  readonly code = 'api_key_not_found';
  constructor(id: string) {
    super(describe('api_key_not_found', { id }));
  }
}

export class ApiKeyRoleAboveCallerError extends DomainError {
  readonly code = 'api_key_role_above_caller';
  constructor(role: string, callerRole: string) {
    super(describe('api_key_role_above_caller', { role, callerRole }), { role, callerRole });
  }
}

export class ApiKeyScopeAboveCallerError extends DomainError {
  readonly code = 'api_key_scope_above_caller';
  constructor(held: readonly string[]) {
    super(describe('api_key_scope_above_caller', { held: held.join(', ') }), { held });
  }
}

export class ApiKeyRevokedError extends DomainError {
  readonly code = 'api_key_revoked';
  constructor(id: string) {
    super(describe('api_key_revoked', { id }));
  }
}

export class ApiKeyExpiredError extends DomainError {
  readonly code = 'api_key_expired';
  constructor(id: string) {
    super(describe('api_key_expired', { id }));
  }
}

export class ApiKeyScopeInvalidError extends DomainError {
  readonly code = 'api_key_scope_invalid';
  constructor(role: string, scopes: readonly string[]) {
    super(describe('api_key_scope_invalid', { role, scopes: scopes.join(', ') }), { role, scopes });
  }
}

export class ApiKeyExpiryInvalidError extends DomainError {
  readonly code = 'api_key_expiry_invalid';
  constructor(maxDays: number) {
    super(describe('api_key_expiry_invalid', { maxDays }), { maxDays });
  }
}
