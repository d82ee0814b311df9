import type { Request, Response, Router } from 'express';
import { sendData, sendList } from '../http/envelope';
import { pageWindow } from '../http/pagination';
import { BODY_ERRORS, READ_ERRORS, bindRoutes, data, defineRoutes, list } from '../http/route';
import { AccountLockedError } from './accounts.errors';
import { sessionSchema, signedOutSchema, workspaceSchema } from './accounts.responses';
import { changePasswordBody, createWorkspaceBody, listWorkspacesQuery, refreshBody, signInBody, signUpBody } from './accounts.schemas';
import type { AccountsService } from './accounts.service';

/** The statuses of the anonymous routes: no credentials, so no 401 of the key check, but their own 401s; 429 of the per-address limit. */
const ANONYMOUS_BODY_ERRORS = [400, 413, 415, 429, 503] as const;

/**
 * Sign-up, sign-in and refresh: anonymous (the body is the credential), mounted before the
 * credential check (createApp).
 */
export const sessionRoutes = defineRoutes({
  signUp: {
    method: 'post',
    path: '/v1/auth/sign-up',
    summary: 'Create an account and sign in',
    note: 'the first account of a deployment owns a new workspace; later ones need an invitation unless WEFT_OPEN_SIGNUP=true',
    request: { body: signUpBody },
    responses: { 201: data(sessionSchema, 'The account, signed in') },
    errors: [...ANONYMOUS_BODY_ERRORS, 403, 404, 409, 410, 422],
  },
  signIn: {
    method: 'post',
    path: '/v1/auth/sign-in',
    summary: 'Sign in with email and password',
    note: 'locked for WEFT_SIGNIN_LOCK_SECONDS after WEFT_SIGNIN_MAX_FAILURES failures in a row (429 with Retry-After)',
    request: { body: signInBody },
    responses: { 200: data(sessionSchema, 'Signed in: an access token and a refresh token') },
    errors: [...ANONYMOUS_BODY_ERRORS, 401, 404],
  },
  refresh: {
    method: 'post',
    path: '/v1/auth/refresh',
    summary: 'Exchange a refresh token for new tokens',
    note: 'single use: a used refresh token presented again revokes its whole session',
    request: { body: refreshBody },
    responses: { 200: data(sessionSchema, 'New tokens of the same session') },
    errors: [...ANONYMOUS_BODY_ERRORS, 401, 404],
  },
});

/** The paths of the anonymous routes, limited per source address (app.ts). */
export const ANONYMOUS_SESSION_PATHS = Object.values(sessionRoutes).map((r) => r.path);

/** Routes of a signed-in account (an access token; API keys are refused). */
export const accountRoutes = defineRoutes({
  signOut: {
    method: 'post',
    path: '/v1/auth/sign-out',
    summary: 'Sign out: end this session',
    note: 'its refresh tokens and access tokens stop working at once',
    responses: { 200: data(signedOutSchema, 'Signed out') },
    errors: [...READ_ERRORS, 403, 404],
  },
  changePassword: {
    method: 'put',
    path: '/v1/auth/password',
    summary: 'Change the password',
    note: 'the current password is checked; every other session of the account is signed out',
    request: { body: changePasswordBody },
    responses: { 200: data(sessionSchema, 'Changed: new tokens for this session') },
    errors: [...BODY_ERRORS, 403, 404, 429],
  },
  listWorkspaces: {
    method: 'get',
    path: '/v1/workspaces',
    summary: "List the caller's workspaces with the caller's role in each",
    request: { query: listWorkspacesQuery },
    responses: { 200: list(workspaceSchema, 'A page of workspaces') },
    errors: [...READ_ERRORS, 403, 404],
  },
  createWorkspace: {
    method: 'post',
    path: '/v1/workspaces',
    summary: 'Create a workspace owned by the caller',
    request: { body: createWorkspaceBody },
    responses: { 201: data(workspaceSchema, 'Created; the caller is its owner') },
    errors: [...BODY_ERRORS, 403, 404, 409],
  },
});

/** Answers the lockout's 429 with the seconds to wait. */
async function withRetryAfter<T>(res: Response, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof AccountLockedError) res.setHeader('Retry-After', String(err.retryAfterSeconds));
    throw err;
  }
}

export function sessionRouter(service: AccountsService): Router {
  return bindRoutes(sessionRoutes, {
    signUp: async (req, res, { body }) => {
      sendData(req, res, await service.signUp(body, String(req.id)), 201);
    },
    signIn: async (req, res, { body }) => {
      sendData(req, res, await withRetryAfter(res, () => service.signIn(body)));
    },
    refresh: async (req, res, { body }) => {
      sendData(req, res, await service.refresh(body));
    },
  });
}

const session = (req: Request) => req.account!;

export function accountRouter(service: AccountsService): Router {
  return bindRoutes(accountRoutes, {
    signOut: async (req, res) => {
      await service.signOut(session(req).accountId, session(req).sessionId);
      sendData(req, res, { signedOut: true });
    },
    changePassword: async (req, res, { body }) => {
      const { accountId, sessionId } = session(req);
      sendData(req, res, await withRetryAfter(res, () => service.changePassword(accountId, sessionId, body, req.auth?.tenantId)));
    },
    listWorkspaces: async (req, res, { query }) => {
      const { items, total } = await service.listWorkspaces(session(req).accountId, pageWindow(query));
      sendList(req, res, items, { page: query.page, limit: query.limit, total });
    },
    createWorkspace: async (req, res, { body }) => {
      sendData(req, res, await service.createWorkspace(session(req).accountId, body.name, String(req.id)), 201);
    },
  });
}
