import type { Request, Response, Router } from 'express';
import { z } from 'zod';
import { auditContext } from '../audit/audit-log';
import { mayDo } from '../auth/auth.middleware';
import { PERMISSIONS } from '../auth/permissions';
import { UnauthorizedError } from '../http/http.errors';
import { sendData, sendList } from '../http/envelope';
import { pageWindow } from '../http/pagination';
import { BODY_ERRORS, READ_ERRORS, bindRoutes, data, defineRoutes, list, roleList } from '../http/route';
import { acceptInvitation, acceptPath, createInvitation, invitationStatus, listInvitations, revokeInvitation, type Caller, type InvitationDeps } from './invitations';
import { memberRemovalForbidden } from './members.errors';
import {
  acceptParams,
  acceptedInvitationSchema,
  changeRoleBody,
  createdInvitationSchema,
  invitationParams,
  invitationSchema,
  inviteBody,
  listInvitationsQuery,
  listMembersQuery,
  memberParams,
  memberSchema,
  type InvitationDto,
} from './members.schemas';
import { memberDto, type MembersService } from './members.service';

const deleted = data(z.object({ id: z.string(), deleted: z.literal(true) }), 'Removed');
const INVITE_NOTE = 'only an owner invites an owner; nobody invites above their own role; the token is shown once';
const REMOVERS = PERMISSIONS['action:remove-member'].roles;

/**
 * A workspace's members and invitations. Adding someone is always an invitation (POST /v1/members
 * is POST /v1/invitations), accepted by the invited person signed in with the invited email: an
 * admin never learns whether an email has an account, and nobody joins a workspace unasked.
 */
export const memberRoutes = defineRoutes({
  list: {
    method: 'get',
    path: '/v1/members',
    summary: "List the workspace's members",
    request: { query: listMembersQuery },
    responses: { 200: list(memberSchema, 'A page of members') },
    errors: [...READ_ERRORS, 403],
  },
  add: {
    method: 'post',
    path: '/v1/members',
    summary: 'Add a member: invites the email (as POST /v1/invitations)',
    note: `${INVITE_NOTE}; the person joins when they accept`,
    request: { body: inviteBody },
    responses: { 201: data(createdInvitationSchema, 'Invited') },
    errors: [...BODY_ERRORS, 403, 409],
  },
  changeRole: {
    method: 'patch',
    path: '/v1/members/:id',
    summary: "Change a member's role",
    note: 'only an owner grants, changes or removes the owner role; the last owner cannot be demoted (409 last_owner); effective from the next request',
    request: { params: memberParams, body: changeRoleBody },
    responses: { 200: data(memberSchema, 'The member with the new role') },
    errors: [...BODY_ERRORS, 403, 404, 409],
  },
  remove: {
    method: 'delete',
    path: '/v1/members/:id',
    summary: 'Remove a member, or leave the workspace',
    note: `removing another member needs ${roleList(REMOVERS, 'or')}; anyone may remove themself; only an owner removes an owner; the last owner cannot leave (409 last_owner)`,
    request: { params: memberParams },
    responses: { 200: deleted },
    errors: [...READ_ERRORS, 403, 404, 409],
  },
});

export const invitationRoutes = defineRoutes({
  list: {
    method: 'get',
    path: '/v1/invitations',
    summary: "List the workspace's invitations (never their tokens)",
    request: { query: listInvitationsQuery },
    responses: { 200: list(invitationSchema, 'A page of invitations') },
    errors: [...READ_ERRORS, 403],
  },
  create: {
    method: 'post',
    path: '/v1/invitations',
    summary: 'Invite an email into the workspace with a role',
    note: INVITE_NOTE,
    request: { body: inviteBody },
    responses: { 201: data(createdInvitationSchema, 'Invited') },
    errors: [...BODY_ERRORS, 403, 409],
  },
  revoke: {
    method: 'delete',
    path: '/v1/invitations/:id',
    summary: 'Revoke an invitation',
    note: 'an accepted invitation answers 410 invitation_used: remove the member instead',
    request: { params: invitationParams },
    responses: { 200: data(z.object({ id: z.string(), deleted: z.literal(true) }), 'Revoked') },
    errors: [...READ_ERRORS, 403, 404, 410],
  },
  accept: {
    method: 'post',
    path: '/v1/invitations/:token/accept',
    summary: 'Accept an invitation',
    note: "an account's access token whose email is the invitation's; single use",
    request: { params: acceptParams },
    responses: { 201: data(acceptedInvitationSchema, 'Joined: the membership, and the workspace to name in X-Workspace-Id') },
    errors: [...READ_ERRORS, 403, 404, 409, 410],
  },
});

function callerOf(req: Request): Caller {
  const { tenantId, actor, requestId } = auditContext(req);
  return { tenantId, role: req.auth.role, actor, requestId };
}

async function invite(deps: InvitationDeps, req: Request, res: Response, body: z.infer<typeof inviteBody>): Promise<void> {
  const { row, token } = await createInvitation(deps, callerOf(req), body);
  sendData(req, res, { ...invitationDto(row, nowOf(deps)), token, acceptUrl: acceptPath(token) }, 201);
}

const nowOf = (deps: InvitationDeps) => (deps.now ? deps.now() : new Date());

export function membersRouter(members: MembersService, invitations: InvitationDeps): Router {
  return bindRoutes(memberRoutes, {
    list: async (req, res, { query }) => {
      const { items, total } = await members.list(req.auth.tenantId, pageWindow(query), query.role);
      sendList(req, res, items, { page: query.page, limit: query.limit, total });
    },
    add: (req, res, { body }) => invite(invitations, req, res, body),
    changeRole: async (req, res, { params, body }) => {
      sendData(req, res, await members.changeRole(callerOf(req), params.id, body.role));
    },
    remove: async (req, res, { params }) => {
      // Leaving is removing oneself: any member may; removing another needs the action's roles.
      const self = req.auth.principal.type === 'account' ? req.auth.principal.id : undefined;
      await members.remove(callerOf(req), params.id, (target) => {
        if (target.accountId !== self && !mayDo(req, 'action:remove-member')) throw memberRemovalForbidden(REMOVERS, req.auth.role);
      });
      sendData(req, res, { id: params.id, deleted: true as const });
    },
  });
}

export function invitationsRouter(invitations: InvitationDeps): Router {
  return bindRoutes(invitationRoutes, {
    list: async (req, res, { query }) => {
      const at = nowOf(invitations);
      const { items, total } = await listInvitations(invitations.prisma, req.auth.tenantId, pageWindow(query), query.status, at);
      sendList(req, res, items.map((row) => invitationDto(row, at)), { page: query.page, limit: query.limit, total });
    },
    create: (req, res, { body }) => invite(invitations, req, res, body),
    revoke: async (req, res, { params }) => {
      await revokeInvitation(invitations, callerOf(req), params.id);
      sendData(req, res, { id: params.id, deleted: true as const });
    },
    accept: async (req, res, { params }) => {
      const accountId = req.account!.accountId;
      const account = await invitations.prisma.account.findUnique({ where: { id: accountId }, select: { email: true } });
      if (!account) throw new UnauthorizedError('The account of this access token no longer exists');
      const accepted = await acceptInvitation(invitations, params.token, accountId, account.email, undefined, { requestId: String(req.id) });
      const member = memberDto({ ...accepted.membership, account: accepted.account });
      sendData(req, res, { ...member, workspaceId: accepted.tenant.id, workspaceName: accepted.tenant.name }, 201);
    },
  });
}

function invitationDto(row: Parameters<typeof invitationStatus>[0], now: Date): InvitationDto {
  return {
    id: row.id,
    email: row.email,
    role: row.role as InvitationDto['role'],
    status: invitationStatus(row, now),
    invitedBy: row.invitedBy,
    expiresAt: row.expiresAt.toISOString(),
    acceptedAt: row.acceptedAt?.toISOString() ?? null,
    acceptedBy: row.acceptedBy,
    revokedAt: row.revokedAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
  };
}
