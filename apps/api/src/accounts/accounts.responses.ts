import { z } from 'zod';
import { ROLES, type Role } from '@weft/domain';
import { timestamp } from '../http/dto-fields';

/** An account as the API shows it: never its password hash, lock state or tokens. */
export const accountSchema = z.object({ id: z.string(), email: z.string(), name: z.string(), createdAt: timestamp });
export type AccountDto = z.infer<typeof accountSchema>;

/** A workspace of the caller's, with the caller's role in it. */
export const workspaceSchema = z.object({ id: z.string(), name: z.string(), role: z.enum(ROLES), createdAt: timestamp });
export type WorkspaceDto = z.infer<typeof workspaceSchema>;

/** A signed-in session: tokens, who, and where. */
export const sessionSchema = z.object({
  accessToken: z.string().meta({ description: 'a short-lived JWT: "Authorization: Bearer <accessToken>"' }),
  refreshToken: z.string().meta({ description: 'opaque, single use: POST /v1/auth/refresh gives the next one; presenting a used one again revokes the session' }),
  tokenType: z.literal('Bearer'),
  expiresIn: z.number().int().meta({ description: "seconds the access token is valid" }),
  refreshExpiresIn: z.number().int().meta({ description: 'seconds the refresh token is valid' }),
  workspaceId: z.string().nullable().meta({ description: "the workspace the access token names when a request sends no X-Workspace-Id (null: the account has none)" }),
  account: accountSchema,
  workspaces: z.array(workspaceSchema).meta({ description: "the account's first 100 workspaces (GET /v1/workspaces pages through all)" }),
});
export type SessionDto = z.infer<typeof sessionSchema>;

export const signedOutSchema = z.object({ signedOut: z.literal(true) });

export const accountDto = (a: { id: string; email: string; name: string; createdAt: Date }): AccountDto => ({
  id: a.id,
  email: a.email,
  name: a.name,
  createdAt: a.createdAt.toISOString(),
});

export const workspaceDto = (m: { role: Role; tenant: { id: string; name: string; createdAt: Date } }): WorkspaceDto => ({
  id: m.tenant.id,
  name: m.tenant.name,
  role: m.role,
  createdAt: m.tenant.createdAt.toISOString(),
});
