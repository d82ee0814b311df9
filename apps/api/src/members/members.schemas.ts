import { z } from 'zod';
import { ROLES } from '@weft/domain';
import { timestamp } from '../http/dto-fields';
import { paginationQuery } from '../http/pagination';

export const roleSchema = z.enum(ROLES);
/** Emails are kept lower-cased (accounts.email is), so matching an invitation to an account ignores case. */
export const emailSchema = z.string().trim().max(254).pipe(z.email()).transform((e) => e.toLowerCase());

export const MAX_INVITATION_HOURS = 720;
export const inviteBody = z
  .object({
    email: emailSchema,
    role: roleSchema,
    expiresInHours: z.number().int().min(1).max(MAX_INVITATION_HOURS).default(72),
  })
  .strict();
export type InviteInput = z.infer<typeof inviteBody>;

export const changeRoleBody = z.object({ role: roleSchema }).strict();

export const memberParams = z.object({ id: z.string().min(1).max(100) });
export const invitationParams = z.object({ id: z.string().min(1).max(100) });
export const acceptParams = z.object({ token: z.string().min(1).max(700) });

export const listMembersQuery = z.object({ ...paginationQuery, role: roleSchema.optional() }).strict();
export const INVITATION_STATUSES = ['pending', 'accepted', 'revoked', 'expired'] as const;
export type InvitationStatus = (typeof INVITATION_STATUSES)[number];
export const listInvitationsQuery = z.object({ ...paginationQuery, status: z.enum(INVITATION_STATUSES).optional() }).strict();

/** A member of the workspace: the account and its role here. */
export const memberSchema = z.object({
  id: z.string(),
  accountId: z.string(),
  email: z.string(),
  name: z.string(),
  role: roleSchema,
  createdAt: timestamp,
});
export type MemberDto = z.infer<typeof memberSchema>;

/** An invitation as listed: never its token. */
export const invitationSchema = z.object({
  id: z.string(),
  email: z.string(),
  role: roleSchema,
  status: z.enum(INVITATION_STATUSES),
  invitedBy: z.string().nullable().meta({ description: 'the account or API key that invited' }),
  expiresAt: timestamp,
  acceptedAt: timestamp.nullable(),
  acceptedBy: z.string().nullable().meta({ description: 'the account that accepted' }),
  revokedAt: timestamp.nullable(),
  createdAt: timestamp,
});
export type InvitationDto = z.infer<typeof invitationSchema>;

/** A new invitation: the signed link's token is shown here once, never again. */
export const createdInvitationSchema = invitationSchema.extend({
  token: z.string().meta({ description: 'the signed token of the invitation link; shown once' }),
  acceptUrl: z.string().meta({ description: 'where the invited person accepts: POST with their access token' }),
});
export type CreatedInvitationDto = z.infer<typeof createdInvitationSchema>;

/** An accepted invitation: the new membership, and the workspace to name in X-Workspace-Id. */
export const acceptedInvitationSchema = memberSchema.extend({ workspaceId: z.string(), workspaceName: z.string() });
export type AcceptedInvitationDto = z.infer<typeof acceptedInvitationSchema>;
