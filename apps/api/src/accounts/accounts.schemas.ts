import { z } from 'zod';
import { paginationQuery } from '../http/pagination';

export const PASSWORD_MIN = 12;
export const PASSWORD_MAX = 256;

/** Emails are kept lower-cased: one account per address whatever its case. */
export const emailField = z.email({ message: 'Not a valid email address' }).max(254, 'An email has at most 254 characters').toLowerCase();

/** A new password: its length is the rule (no composition rules; long passphrases welcome). */
export const newPasswordField = z
  .string()
  .min(PASSWORD_MIN, `A password needs at least ${PASSWORD_MIN} characters`)
  .max(PASSWORD_MAX, `A password has at most ${PASSWORD_MAX} characters`);

/** A password as typed at sign-in: any length the rules ever allowed. */
const givenPassword = z.string().min(1, 'The password is empty').max(PASSWORD_MAX, `A password has at most ${PASSWORD_MAX} characters`);

export const workspaceIdField = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'Not a workspace id');
export const workspaceNameField = z.string().trim().min(1, 'A workspace name cannot be empty').max(100, 'A workspace name has at most 100 characters');

export const signUpBody = z
  .object({
    email: emailField,
    password: newPasswordField,
    name: z.string().trim().max(100).optional().meta({ description: "the person's name, shown to the members of their workspaces" }),
    workspace: workspaceNameField.optional().meta({ description: 'the name of the new workspace the account owns (first account, or open sign-up); default: "<email>\'s workspace"' }),
    invitation: z.string().min(1).max(4096).optional().meta({ description: 'the token of an invitation to a workspace (POST /v1/invitations); needed once the deployment has an account, unless sign-up is open' }),
  })
  .strict();
export type SignUpBody = z.infer<typeof signUpBody>;

export const signInBody = z
  .object({
    email: emailField,
    password: givenPassword,
    workspaceId: workspaceIdField.optional().meta({ description: "the workspace the access token's claim names (a membership); default: the account's first" }),
  })
  .strict();
export type SignInBody = z.infer<typeof signInBody>;

export const refreshBody = z
  .object({
    refreshToken: z.string().min(1).max(512),
    workspaceId: workspaceIdField.optional().meta({ description: "switches the new access token's workspace claim (a membership); default: the account's first" }),
  })
  .strict();
export type RefreshBody = z.infer<typeof refreshBody>;

export const changePasswordBody = z
  .object({
    currentPassword: givenPassword,
    newPassword: newPasswordField,
  })
  .strict();
export type ChangePasswordBody = z.infer<typeof changePasswordBody>;

export const createWorkspaceBody = z.object({ name: workspaceNameField }).strict();

export const listWorkspacesQuery = z.object({ ...paginationQuery }).strict();
