import { checkGrant, roleAtLeast, scopesOfRole } from './key-grants';

describe('key grants', () => {
  it('orders roles from owner down to viewer', () => {
    expect(roleAtLeast('owner', 'admin')).toBe(true);
    expect(roleAtLeast('admin', 'admin')).toBe(true);
    expect(roleAtLeast('admin', 'owner')).toBe(false);
    expect(roleAtLeast('viewer', 'operator')).toBe(false);
  });

  it("a role's scopes are those of its entries in the permission table", () => {
    // members:write: anyone may leave a workspace (DELETE /v1/members/:id on oneself)
    expect(scopesOfRole('viewer').sort()).toEqual(['knowledge:read', 'members:read', 'members:write', 'runs:read', 'usage:read', 'workflows:read']);
    expect(scopesOfRole('owner')).toContain('quotas:write');
    expect(scopesOfRole('admin')).not.toContain('quotas:write');
    expect(scopesOfRole('operator')).toContain('approvals:decide');
  });

  it('refuses a role above the caller, a scope the role cannot use, and scopes beyond a scoped caller', () => {
    const admin = { role: 'admin' as const, scopes: [] };
    expect(checkGrant(admin, 'admin', [])).toEqual([]);
    expect(checkGrant(admin, 'viewer', ['runs:read', 'runs:read'])).toEqual(['runs:read']);
    expect(() => checkGrant(admin, 'owner', [])).toThrow(expect.objectContaining({ code: 'api_key_role_above_caller' }));
    expect(() => checkGrant(admin, 'viewer', ['runs:write'])).toThrow(expect.objectContaining({ code: 'api_key_scope_invalid', details: { role: 'viewer', scopes: ['runs:write'] } }));
    const scoped = { role: 'admin' as const, scopes: ['keys:write', 'runs:read'] };
    expect(checkGrant(scoped, 'viewer', ['runs:read'])).toEqual(['runs:read']);
    expect(() => checkGrant(scoped, 'viewer', [])).toThrow(expect.objectContaining({ code: 'api_key_scope_above_caller' }));
    expect(() => checkGrant(scoped, 'developer', ['workflows:write'])).toThrow(expect.objectContaining({ code: 'api_key_scope_above_caller' }));
  });
});
