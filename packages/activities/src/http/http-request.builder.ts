import type { HttpRequestData } from '@weft/domain';
import { NodeFailure } from '../errors/node-failure';

/** One request as it goes on the wire; redirects derive the next one from it. */
export interface PreparedRequest {
  url: URL;
  method: string;
  /** lower-case names */
  headers: Record<string, string>;
  body?: string;
}

const SCHEMES = new Set(['http:', 'https:']);

/** The URL without its query and credentials, for messages (queries often carry keys). */
export function describeUrl(url: URL): string {
  return `${url.origin}${url.pathname}`;
}

/** Parses and checks a URL (the node's, or a redirect's Location against the current URL). */
export function parseHttpUrl(text: string, base?: URL): URL {
  let url: URL;
  try {
    url = new URL(text, base);
  } catch {
    throw new NodeFailure('http_url_invalid', `"${text.slice(0, 200)}" is not a valid URL`);
  }
  if (!SCHEMES.has(url.protocol)) {
    throw new NodeFailure('http_url_invalid', `Unsupported URL scheme "${url.protocol}" (only http: and https: are allowed)`);
  }
  if (url.username || url.password) {
    // Credentials in the URL would bypass the auth settings (and land in logs): use `auth` instead.
    throw new NodeFailure('http_url_invalid', 'URLs must not carry credentials; use the node\'s "auth" setting');
  }
  return url;
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** name → value pairs from a record; arrays repeat the name, null and undefined are left out. */
function pairs(record: Record<string, unknown>): [string, string][] {
  return Object.entries(record).flatMap(([k, v]) =>
    (Array.isArray(v) ? v : [v]).filter((x) => x !== null && x !== undefined).map((x): [string, string] => [k, text(x)]),
  );
}

function encodeBody(body: NonNullable<HttpRequestData['body']>): { content: string; type: string } {
  switch (body.type) {
    case 'json':
      return { content: JSON.stringify(body.content ?? null), type: 'application/json' };
    case 'form':
      return { content: new URLSearchParams(pairs(body.content)).toString(), type: 'application/x-www-form-urlencoded' };
    case 'text':
      return { content: body.content, type: 'text/plain; charset=utf-8' };
  }
}

/**
 * Builds the first request of a node execution: query merged into the URL (node values replace
 * the URL's own for the same name), the body encoded with a matching Content-Type unless the node
 * sets one, auth as an Authorization header, and an Idempotency-Key that stays the same across
 * retries of this node execution unless the node sets its own.
 */
export function prepareRequest(config: HttpRequestData, idempotencyKey: string, userAgent: string): PreparedRequest {
  const url = parseHttpUrl(config.url);
  const query = pairs(config.query);
  for (const name of new Set(query.map(([k]) => k))) url.searchParams.delete(name);
  for (const [k, v] of query) url.searchParams.append(k, v);

  const headers: Record<string, string> = { 'user-agent': userAgent, 'accept-encoding': 'gzip, deflate, br' };
  for (const [k, v] of Object.entries(config.headers)) headers[k.toLowerCase()] = v;
  headers['idempotency-key'] ??= idempotencyKey;
  if (config.auth.type === 'bearer') headers.authorization = `Bearer ${config.auth.token}`;
  if (config.auth.type === 'basic') {
    headers.authorization = `Basic ${Buffer.from(`${config.auth.username}:${config.auth.password}`, 'utf8').toString('base64')}`;
  }

  let body: string | undefined;
  if (config.body) {
    const encoded = encodeBody(config.body);
    body = encoded.content;
    headers['content-type'] ??= encoded.type;
  }
  return { url, method: config.method, headers, ...(body !== undefined ? { body } : {}) };
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
// Headers that describe a body; they go when a redirect turns the request into a bodiless GET.
const BODY_HEADERS = ['content-type', 'content-length', 'content-encoding', 'content-language', 'content-location'];
// Credentials meant for the first origin must not follow a redirect to another one.
const CREDENTIAL_HEADERS = ['authorization', 'proxy-authorization', 'cookie'];

export function isRedirect(status: number, location: string | undefined): location is string {
  return REDIRECTS.has(status) && typeof location === 'string' && location.length > 0;
}

/**
 * The request to send after a redirect, as browsers do (Fetch standard, "HTTP-redirect fetch"):
 * 303 (and 301/302 after POST) become a GET without body; 307/308 keep method and body.
 */
export function followRedirect(req: PreparedRequest, status: number, location: string): PreparedRequest {
  const url = parseHttpUrl(location, req.url);
  const headers = { ...req.headers };
  let { method, body } = req;
  if ((status === 303 && method !== 'HEAD') || ((status === 301 || status === 302) && method === 'POST')) {
    method = 'GET';
    body = undefined;
    for (const h of BODY_HEADERS) delete headers[h];
  }
  if (url.origin !== req.url.origin) for (const h of CREDENTIAL_HEADERS) delete headers[h];
  return { url, method, headers, ...(body !== undefined ? { body } : {}) };
}
