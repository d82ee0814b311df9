import createClient, { type Middleware } from 'openapi-fetch';
import type { paths } from './generated/schema';
import { ApiError, errorFromBody } from './errors';
import { session } from './session';

export type { paths };

// Every request carries the session's access token and the workspace it names. A 401 on an
// authenticated route means the token died early (signed out elsewhere, a clock skew): one refresh
// and one retry, then the session is over.
const retries = new WeakMap<Request, Request>();
const auth: Middleware = {
  async onRequest({ request }) {
    const token = await session.token();
    if (token) request.headers.set('Authorization', `Bearer ${token}`);
    const ws = session.get()?.workspaceId;
    if (ws && !request.headers.has('X-Workspace-Id')) request.headers.set('X-Workspace-Id', ws);
    retries.set(request, request.clone());
    return request;
  },
  async onResponse({ request, response }) {
    if (response.status !== 401 || !session.get() || request.url.includes('/v1/auth/')) return response;
    const again = retries.get(request);
    const token = await session.token(true);
    if (!again || !token) return response;
    again.headers.set('Authorization', `Bearer ${token}`);
    const second = await fetch(again);
    if (second.status === 401) session.expire();
    return second;
  },
};

/** The typed API client: every path, parameter and body is checked against the OpenAPI document. */
export const api = createClient<paths>({ baseUrl: window.location.origin });
api.use(auth);

/** The data of a success envelope, or the API's error thrown as an ApiError. */
export async function unwrap<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  let r: { data?: T; error?: unknown; response: Response };
  try {
    r = await call;
  } catch (err) {
    if (err instanceof ApiError) throw err;
    if (err instanceof Error && err.name === 'AbortError') throw err;
    throw errorFromBody(0, null);
  }
  if (!r.response.ok) throw errorFromBody(r.response.status, r.error);
  return r.data as T;
}

/** The `data` of a success envelope. */
export async function data<T extends { data: unknown }>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T['data']> {
  return (await unwrap(call)).data;
}

/** Headers of an authenticated request made outside the typed client (streams, uploads with progress). */
export async function authHeaders(): Promise<Record<string, string>> {
  const token = await session.token();
  const ws = session.get()?.workspaceId;
  return { ...(token ? { Authorization: `Bearer ${token}` } : {}), ...(ws ? { 'X-Workspace-Id': ws } : {}) };
}
