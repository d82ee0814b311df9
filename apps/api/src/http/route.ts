import { Router, type Express, type Request, type Response } from 'express';
import type { z } from 'zod';
import { ROLES, type Role } from '@weft/domain';
import { requireAccount, requirePermission } from '../auth/auth.middleware';
import { PERMISSIONS, permissionOf, type Permission } from '../auth/permissions';
import { handle, type Parsed, type Schemas } from './handle';

/**
 * Each route is declared once: method, path, who may call it, its summary, its request and
 * response schemas and the error statuses it answers. `bindRoutes` registers the Express handlers
 * from the declarations and the OpenAPI document (openapi/openapi.ts) is generated from the same
 * declarations, read back from the routers the app mounted, so a route cannot exist without its
 * documentation nor the other way round.
 */

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** Where the API key is checked (createApp): every route with roles is under it. */
export const AUTHENTICATED_PREFIX = '/v1';

/** The error statuses a route can answer with the error body (error.middleware.ts). */
export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 410 | 413 | 415 | 422 | 429 | 502 | 503;

/** What a body route can answer besides its own codes: malformed, unauthenticated, too large, unreadable, rate limited (http/rate-limit.ts), dependency down. */
export const BODY_ERRORS = [400, 401, 413, 415, 429, 503] as const satisfies readonly ErrorStatus[];
/** What any other authenticated route can answer besides its own codes. */
export const READ_ERRORS = [400, 401, 429, 503] as const satisfies readonly ErrorStatus[];

export type ResponseHeader = 'Location' | 'Idempotent-Replayed' | 'Retry-After';

export interface ResponseDoc {
  description: string;
  /**
   * `data`: the envelope around one item; `list`: around a page of items; `bare`: no envelope
   * (health, the document); `events`: a text/event-stream whose events' `data` is `schema`;
   * `text`: plain text (the Prometheus metrics), `schema` a string
   */
  shape: 'data' | 'list' | 'bare' | 'events' | 'text';
  /** the DTO (for `list`, of one item; for `events`, of one event's data) */
  schema: z.ZodType;
  headers?: readonly ResponseHeader[];
}

export const data = (schema: z.ZodType, description: string, headers?: readonly ResponseHeader[]): ResponseDoc => ({ shape: 'data', schema, description, headers });
export const list = (schema: z.ZodType, description: string): ResponseDoc => ({ shape: 'list', schema, description });
export const bare = (schema: z.ZodType, description: string): ResponseDoc => ({ shape: 'bare', schema, description });
export const events = (schema: z.ZodType, description: string): ResponseDoc => ({ shape: 'events', schema, description });
export const text = (schema: z.ZodType, description: string): ResponseDoc => ({ shape: 'text', schema, description });

export interface RequestHeaderDoc {
  name: string;
  schema: z.ZodType;
  description: string;
}

export interface RouteDef<S extends Schemas = Schemas> {
  method: Method;
  /** the whole path from the app's root, in Express syntax (`/v1/workflows/:id`) */
  path: string;
  summary: string;
  /**
   * Who may call the route: its entry in the permission table (auth/permissions.ts), filled in by
   * `defineRoutes`, never written in the declaration. The roles (and the scope an API key's scopes
   * must hold) of a workspace route are enforced by `requirePermission`; the other kinds are
   * described in the table. A route with no credentials is mounted before the credential check
   * (createApp).
   */
  access: Permission;
  /** said after the roles in the summary's parentheses: a role rule the handler enforces, or what the client should know */
  note?: string;
  /** the schemas `handle()` validates the params, query and body with */
  request?: S;
  /**
   * A multipart/form-data body the handler reads itself (a file upload), besides the JSON body of
   * `request.body` when there is one: `handle()` leaves a multipart body alone (the handler gets
   * `body: undefined`), and the document lists both media types. The schema only documents the form.
   */
  multipart?: z.ZodType;
  /** request headers the handler reads (validated by the handler) */
  headers?: readonly RequestHeaderDoc[];
  /** the answers that are not errors, by status */
  responses: Readonly<Record<number, ResponseDoc>>;
  /** the statuses answered with the error body */
  errors: readonly ErrorStatus[];
}

export type RouteTable = Readonly<Record<string, RouteDef<any>>>;

type HandlerOf<R> = R extends RouteDef<infer S>
  ? (req: Request, res: Response, input: R extends { multipart: z.ZodType } ? Omit<Parsed<S>, 'body'> & { body: Parsed<S>['body'] | undefined } : Parsed<S>) => Promise<void> | void
  : never;
/** One handler per declared route, typed by the route's request schemas. */
export type Handlers<T extends RouteTable> = { [K in keyof T]: HandlerOf<T[K]> };

/** A route as its router declares it: everything but who may call it, which the permission table says. */
export type RouteDecl<S extends Schemas = Schemas> = Omit<RouteDef<S>, 'access'>;

/**
 * Declares a resource's routes, in the order Express matches them, each with its access from the
 * permission table (auth/permissions.ts; a test passes its own table). A route the table does not
 * name is refused here, so no route exists without its entry.
 */
export function defineRoutes<T extends Readonly<Record<string, RouteDecl<any>>>>(
  routes: T,
  table: Readonly<Record<string, Permission>> = PERMISSIONS,
): { [K in keyof T]: T[K] & { access: Permission } } {
  const out: Record<string, RouteDef> = {};
  for (const [name, decl] of Object.entries(routes) as [string, RouteDecl][]) {
    const where = `${decl.method.toUpperCase()} ${decl.path}`;
    const access = permissionOf(decl.method, decl.path, table);
    if (!access) throw new Error(`${where}: the permission table (auth/permissions.ts) has no entry for it`);
    if (access === 'public' && (decl.request || decl.headers)) throw new Error(`${where}: a public route reads no input`);
    if (typeof access !== 'string' && access.roles.length === 0) throw new Error(`${where}: no role may call it`);
    if ((typeof access !== 'string' || access === 'account') && !decl.path.startsWith(`${AUTHENTICATED_PREFIX}/`)) {
      throw new Error(`${where}: a route with credentials is under ${AUTHENTICATED_PREFIX}/, where they are checked`);
    }
    out[name] = { ...decl, access };
  }
  return out as { [K in keyof T]: T[K] & { access: Permission } };
}

const DECLARED = Symbol('weft.routes');

/**
 * An Express router with a handler for each declared route: the role check, then `handle()`
 * (input hygiene and request validation), then the handler. Public routes get the bare handler:
 * they read no input, so there is nothing to check.
 */
export function bindRoutes<T extends RouteTable>(routes: T, handlers: Handlers<T>): Router {
  const r = Router();
  for (const [name, def] of Object.entries(routes) as [keyof T & string, RouteDef][]) {
    const fn = handlers[name] as (req: Request, res: Response, input: unknown) => Promise<void> | void;
    const handler = handle(def.request ?? {}, fn, { multipart: def.multipart !== undefined });
    if (def.access === 'public') r[def.method](def.path, (req, res) => fn(req, res, undefined));
    else if (def.access === 'account') r[def.method](def.path, requireAccount, handler);
    else if (typeof def.access === 'string') r[def.method](def.path, handler);
    else r[def.method](def.path, requirePermission(def.access), handler);
  }
  return Object.assign(r, { [DECLARED]: Object.values(routes) as RouteDef[] });
}

/** Roles from the least to the most privileged, as the summaries list them. */
export function roleList(roles: readonly Role[], last: 'and' | 'or' | ',' = ','): string {
  const sorted = [...ROLES].reverse().filter((r) => roles.includes(r));
  return last === ',' || sorted.length < 2 ? sorted.join(', ') : `${sorted.slice(0, -1).join(', ')} ${last} ${sorted.at(-1)}`;
}

export interface MountedRoute {
  method: string;
  /** the whole path, in Express syntax */
  path: string;
}

interface StackLayer {
  route?: { path: string; methods: Record<string, boolean> };
  handle: { stack?: StackLayer[]; [DECLARED]?: RouteDef[] };
  rawPath?: unknown;
  slash?: boolean;
}

/**
 * What the app serves, read from its router stack: every Express route with its whole path, and the
 * declarations of the routers made by `bindRoutes`. A declared router must be mounted at the root
 * (its paths are whole paths); one mounted under a prefix is refused here.
 */
export function mountedRoutes(app: Express): { routes: MountedRoute[]; declared: RouteDef[] } {
  const routes: MountedRoute[] = [];
  const declared: RouteDef[] = [];
  const walk = (stack: StackLayer[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) {
        for (const [method, on] of Object.entries(layer.route.methods)) if (on && method !== '_all') routes.push({ method, path: prefix + layer.route.path });
        continue;
      }
      if (!layer.handle.stack) continue;
      const at = layer.slash ? '' : String(layer.rawPath);
      const defs = layer.handle[DECLARED];
      if (defs && prefix + at !== '') throw new Error(`A router of declared routes is mounted at '${prefix + at}': mount it at the root`);
      if (defs) declared.push(...defs);
      walk(layer.handle.stack, prefix + at);
    }
  };
  walk((app as unknown as { router: { stack: StackLayer[] } }).router.stack, '');
  return { routes, declared };
}
