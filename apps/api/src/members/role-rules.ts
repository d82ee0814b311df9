import { ROLES, type Role } from '@weft/domain';
import { ownerRoleRequired, roleAboveOwn } from './members.errors';

/** 0 for the owner, up to the viewer: a smaller rank is the higher role. */
const rank = (role: Role): number => ROLES.indexOf(role);

/**
 * Whether a caller with `own` role may give someone `role` (an invitation, a role change): only an
 * owner grants the owner role, and nobody grants a role above their own.
 */
export function checkGrant(own: Role, role: Role): void {
  if (role === 'owner' && own !== 'owner') throw ownerRoleRequired('grant the owner role or invite an owner');
  if (rank(role) < rank(own)) throw roleAboveOwn(role, own);
}

/**
 * Whether a caller with `own` role may change or remove a member who has `target`: only an owner
 * touches an owner, and nobody touches a member above their own role.
 */
export function checkTarget(own: Role, target: Role): void {
  if (target === 'owner' && own !== 'owner') throw ownerRoleRequired("change or remove an owner's membership");
  if (rank(target) < rank(own)) throw roleAboveOwn(target, own);
}
