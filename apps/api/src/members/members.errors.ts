import { DomainError, describe, type ApiErrorCode, type Role } from '@weft/domain';

/** The codes the member and invitation routes answer with of their own (catalogue: member.errors.ts). */
export type MemberApiCode = Extract<
  ApiErrorCode,
  | 'member_not_found'
  | 'owner_role_required'
  | 'role_above_own'
  | 'member_removal_forbidden'
  | 'last_owner'
  | 'already_member'
  | 'invitation_not_found'
  | 'invitation_expired'
  | 'invitation_used'
  | 'invitation_revoked'
  | 'invitation_email_mismatch'
>;

/** A refusal about a member or an invitation; its status is the catalogue's for its code. */
export class MemberError extends DomainError {
  constructor(
    readonly code: MemberApiCode,
    message: string,
    details?: unknown,
  ) {
    super(message, details);
  }
}

export const memberNotFound = (id: string) => new MemberError('member_not_found', describe('member_not_found', { id }));
export const ownerRoleRequired = (what: string) => new MemberError('owner_role_required', describe('owner_role_required', { what }));
export const roleAboveOwn = (role: Role, own: Role) => new MemberError('role_above_own', describe('role_above_own', { role, own }), { role, own });
export const memberRemovalForbidden = (roles: readonly Role[], role: Role) =>
  new MemberError('member_removal_forbidden', describe('member_removal_forbidden', { roles: roles.join(', '), role }));
export const lastOwner = () => new MemberError('last_owner', describe('last_owner', {}));
export const alreadyMember = () => new MemberError('already_member', describe('already_member', {}));
export const invitationNotFound = () => new MemberError('invitation_not_found', describe('invitation_not_found', {}));
export const invitationExpired = () => new MemberError('invitation_expired', describe('invitation_expired', {}));
export const invitationUsed = () => new MemberError('invitation_used', describe('invitation_used', {}));
export const invitationRevoked = () => new MemberError('invitation_revoked', describe('invitation_revoked', {}));
export const invitationEmailMismatch = () => new MemberError('invitation_email_mismatch', describe('invitation_email_mismatch', {}));
