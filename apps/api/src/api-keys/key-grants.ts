import { ROLES, type Role } from '@weft/domain';
import type { AuthContext } from '../auth/auth-context';
import { PERMISSIONS, type Permission, type Scope } from '../auth/permissions';
import { ApiKeyRoleAboveCallerError, ApiKeyScopeAboveCallerError, ApiKeyScopeInvalidError } from './api-key.errors';

/** Whether role `a` may do everything `b` may (ROLES runs from the most to the least privileged). */
export function roleAtLeast(a: Role, b: Role): boolean {
  return ROLES.indexOf(a) <= ROLES.indexOf(b);
}

/** The scopes a role can use anywhere in the permission table (routes and actions). */
export function scopesOfRole(role: Role, table: Readonly<Record<string, Permission>> = PERMISSIONS): Scope[] {
  const out = new Set<Scope>();
  for (const entry of Object.values(table)) if (typeof entry !== 'string' && entry.roles.includes(role)) out.add(entry.scope);
  return [...out];
}

/**
 * Checks that a key with `role` and `scopes` (empty: everything the role may do) grants nothing the
 * caller does not hold itself, and that each scope is one the role can use; returns the scopes,
 * de-duplicated. A scoped caller (an API key with scopes) can only hand on scopes it holds: a key
 * with `keys:write` alone must not mint, or rotate into its hands, an unscoped admin key.
 */
export function checkGrant(caller: Pick<AuthContext, 'role' | 'scopes'>, role: Role, scopes: readonly string[]): string[] {
  if (!roleAtLeast(caller.role, role)) throw new ApiKeyRoleAboveCallerError(role, caller.role);
  const wanted = [...new Set(scopes)];
  const usable = scopesOfRole(role) as string[];
  const unusable = wanted.filter((s) => !usable.includes(s));
  if (unusable.length > 0) throw new ApiKeyScopeInvalidError(role, unusable);
  if (caller.scopes.length > 0 && (wanted.length === 0 || wanted.some((s) => !caller.scopes.includes(s)))) throw new ApiKeyScopeAboveCallerError(caller.scopes);
  return wanted;
}
