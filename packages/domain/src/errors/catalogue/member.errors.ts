import { errorArea } from './error-spec';

/** A workspace's members and invitations (apps/api/src/members). */
export const MEMBER_ERRORS = errorArea({
  member_not_found: { status: 404, message: "member '{id}' was not found" },
  owner_role_required: { status: 403, message: 'Only an owner may {what}' },
  role_above_own: { status: 403, message: "The role '{role}' is above the caller's own ('{own}')" },
  member_removal_forbidden: { status: 403, message: 'Removing another member needs one of the roles: {roles} (the caller has \'{role}\'); anyone may remove themself' },
  last_owner: { status: 409, message: 'The workspace would have no owner left: make another member an owner first' },
  already_member: { status: 409, message: 'That account is already a member of this workspace' },
  invitation_not_found: { status: 404, message: 'This invitation was not found' },
  invitation_expired: { status: 410, message: 'This invitation has expired: ask for a new one' },
  invitation_used: { status: 410, message: 'This invitation was already accepted' },
  invitation_revoked: { status: 410, message: 'This invitation was revoked' },
  invitation_email_mismatch: { status: 403, message: 'This invitation is for another email address than the signed-in account\'s' },
});
