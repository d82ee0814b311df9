import { errorArea } from './error-spec';

/** API keys managed over the API (apps/api/src/api-keys). */
export const API_KEY_ERRORS = errorArea({
  api_key_role_above_caller: { status: 403, message: "A key with the role '{role}' is above what the caller may grant (its role is '{callerRole}')" },
  api_key_scope_above_caller: { status: 403, message: 'The caller holds only the scopes {held}: a key it makes or rotates cannot have more' },
  api_key_not_found: { status: 404, message: "API key '{id}' was not found" },
  api_key_revoked: { status: 409, message: "API key '{id}' is revoked: it cannot be rotated" },
  api_key_expired: { status: 409, message: "API key '{id}' has expired: create a new key instead of rotating it" },
  api_key_scope_invalid: { status: 422, message: "The role '{role}' has no route with the scope(s) {scopes}: a key's scopes narrow its role, never widen it" },
  api_key_expiry_invalid: { status: 422, message: 'The expiry must be in the future and at most {maxDays} days away' },
});
