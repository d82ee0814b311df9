import { ROLES, type Role } from '@weft/domain';
import { MemberError } from './members.errors';
import { checkGrant, checkTarget } from './role-rules';

const codeOf = (fn: () => void): string | undefined => {
  try {
    fn();
    return undefined;
  } catch (err) {
    if (err instanceof MemberError) return err.code;
    throw err;
  }
};

describe('member role rules', () => {
  it('lets only an owner grant the owner role or touch an owner', () => {
    for (const own of ROLES.filter((r) => r !== 'owner')) {
      expect([own, codeOf(() => checkGrant(own, 'owner'))]).toEqual([own, 'owner_role_required']);
      expect([own, codeOf(() => checkTarget(own, 'owner'))]).toEqual([own, 'owner_role_required']);
    }
    expect(codeOf(() => checkGrant('owner', 'owner'))).toBeUndefined();
    expect(codeOf(() => checkTarget('owner', 'owner'))).toBeUndefined();
  });

  it('refuses a role above the caller’s own, and allows their own and below', () => {
    const table: [Role, Role, string | undefined][] = [
      ['admin', 'admin', undefined],
      ['admin', 'viewer', undefined],
      ['developer', 'admin', 'role_above_own'],
      ['operator', 'developer', 'role_above_own'],
      ['viewer', 'viewer', undefined],
    ];
    for (const [own, role, code] of table) {
      expect([own, role, codeOf(() => checkGrant(own, role))]).toEqual([own, role, code]);
      expect([own, role, codeOf(() => checkTarget(own, role))]).toEqual([own, role, code]);
    }
  });
});
