import { Context } from '@temporalio/activity';
import { Agent, buildConnector, request, type Dispatcher } from 'undici';
import { httpRequestDataSchema, httpStatusCode } from '@weft/domain';
import { NodeFailure } from '../errors/node-failure';
import type { NodeExecutor } from '../nodes/node-activities';
import { EMPTY_ALLOWLIST, parseHttpAllowlist, type HttpAllowlist } from './http-allowlist';
import { describeUrl, followRedirect, isRedirect, prepareRequest, type PreparedRequest } from './http-request.builder';
import { retryAfterFromHeaders } from '../errors/retry-after';
import { decodeText, flattenHeaders, parseJson, readLimited, ResponseTooLargeError, tooLarge } from './http-response.reader';
import { AddressRefusedError, guardedConnector, SsrfGuard, type Resolver } from './ssrf.guard';

export interface HttpExecutorOptions {
  /** Targets exempt from the SSRF guard: WEFT_HTTP_ALLOWLIST entries, or its parsed form. Default: none. */
  allowlist?: readonly string[] | HttpAllowlist;
  /** DNS port; the system resolver by default. */
  resolve?: Resolver;
  /** Opens the socket to an address the guard has checked; undici's connector by default. */
  openSocket?: ReturnType<typeof buildConnector>;
  /** Body limit when the node sets no `maxResponseBytes`. Default 5 MiB. */
  defaultMaxResponseBytes?: number;
  /** Redirects followed (each re-checked by the guard). Default 5. */
  maxRedirects?: number;
  /** Time limit outside a Temporal activity; inside one, the attempt's startToClose (the node's timeout). Default 60 s. */
  timeoutMs?: number;
  /** Upper bound on a server's Retry-After. Default 5 minutes. */
  maxRetryAfterMs?: number;
  userAgent?: string;
}

export const DEFAULT_MAX_RESPONSE_BYTES = 5 * 1024 * 1024;

// Statuses worth another attempt under the node's retry policy; every other final status is
// an output the graph can branch on (n8n's "never error" behaviour, Dify's status_code output).
const retryableStatus = (status: number) => status === 429 || status >= 500;

// Connection-level failures a later attempt may not meet.
const TRANSIENT_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN',
  'UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT',
]);

function attemptBudgetMs(fallback: number): number {
  try {
    return Context.current().info.startToCloseTimeoutMs || fallback;
  } catch {
    return fallback; // not inside an activity (direct calls, unit tests)
  }
}

const isEntryList = (v: readonly string[] | HttpAllowlist): v is readonly string[] => Array.isArray(v);

function normaliseAllowlist(value: HttpExecutorOptions['allowlist']): HttpAllowlist {
  if (!value) return EMPTY_ALLOWLIST;
  return isEntryList(value) ? parseHttpAllowlist(value) : value;
}

function errorCode(err: unknown): string | undefined {
  for (let e = err as { code?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 4; e = e.cause as typeof e, depth++) {
    if (typeof e.code === 'string') return e.code;
  }
  return undefined;
}

/**
 * The `http-request` node: a real HTTP client behind an SSRF guard that is on by default. The
 * guard checks the address each connection actually opens to (DNS answers included, so rebinding
 * and wildcard-DNS names are caught), on every redirect hop.
 */
export function createHttpExecutor(options: HttpExecutorOptions = {}): NodeExecutor {
  const guard = new SsrfGuard(normaliseAllowlist(options.allowlist), options.resolve);
  const agent = new Agent({ connect: guardedConnector(guard, options.openSocket ?? buildConnector({})) });
  const maxRedirects = options.maxRedirects ?? 5;
  const maxRetryAfter = options.maxRetryAfterMs ?? 5 * 60_000;
  const userAgent = options.userAgent ?? 'weft-http/1';

  async function send(req: PreparedRequest, signal: AbortSignal): Promise<Dispatcher.ResponseData> {
    // IP literals and localhost names are refused here, before the request is even queued.
    guard.precheck(req.url.hostname, Number(req.url.port) || (req.url.protocol === 'https:' ? 443 : 80));
    return request(req.url, { method: req.method as Dispatcher.HttpMethod, headers: req.headers, body: req.body ?? null, dispatcher: agent, signal });
  }

  async function execute(req: PreparedRequest, limit: number, signal: AbortSignal): Promise<Record<string, unknown>> {
    let res = await send(req, signal);
    for (let hops = 0; isRedirect(res.statusCode, res.headers.location as string | undefined); hops++) {
      await res.body.dump();
      if (hops >= maxRedirects) {
        throw new NodeFailure('http_too_many_redirects', `More than ${maxRedirects} redirects, last from ${describeUrl(req.url)}`);
      }
      req = followRedirect(req, res.statusCode, res.headers.location as string);
      res = await send(req, signal);
    }
    const headers = flattenHeaders(res.headers);
    const where = describeUrl(req.url);
    if (retryableStatus(res.statusCode)) {
      const snippet = await readLimited(res.body, 64 * 1024, headers['content-encoding']).then(
        (b) => decodeText(b, headers['content-type']).slice(0, 2048),
        () => '',
      );
      const delay = retryAfterFromHeaders(headers, { capMs: maxRetryAfter });
      throw new NodeFailure(httpStatusCode(res.statusCode), { status: res.statusCode, target: where }, {
        ...(delay !== undefined ? { retryAfterMs: delay } : {}),
        details: { status: res.statusCode, body: snippet },
      });
    }
    const declared = Number(headers['content-length']);
    if (!headers['content-encoding'] && declared > limit) {
      await res.body.dump().catch(() => undefined);
      throw tooLarge(limit, where);
    }
    const bytes = await readLimited(res.body, limit, headers['content-encoding']).catch((err: unknown) => {
      throw err instanceof ResponseTooLargeError ? tooLarge(limit, where) : err;
    });
    const body = decodeText(bytes, headers['content-type']);
    return { status: res.statusCode, headers, body, json: parseJson(body, headers['content-type']) };
  }

  return async (input, activitySignal) => {
    const parsed = httpRequestDataSchema.safeParse(input.config);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => `${i.path.join('.') || 'data'}: ${i.message}`).join('; ');
      throw new NodeFailure('http_request_invalid', `Invalid http-request settings: ${issues}`);
    }
    const config = parsed.data;
    const req = prepareRequest(config, input.idempotencyKey, userAgent);
    const limit = config.maxResponseBytes ?? options.defaultMaxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    const budget = attemptBudgetMs(options.timeoutMs ?? 60_000);
    const deadline = AbortSignal.timeout(budget);
    const signal = AbortSignal.any([activitySignal, deadline]);
    const target = describeUrl(req.url);
    try {
      return await execute(req, limit, signal);
    } catch (err) {
      if (err instanceof NodeFailure) throw err;
      const refused = err instanceof AddressRefusedError ? err : (err as { cause?: unknown })?.cause;
      if (refused instanceof AddressRefusedError) throw new NodeFailure(refused.code, refused.message, { details: { kind: refused.classification.kind } });
      if (deadline.aborted) throw new NodeFailure('http_timeout', `No complete response from ${target} within ${budget} ms`);
      if (activitySignal.aborted) throw new NodeFailure('http_aborted', `The request to ${target} was abandoned: the node was cancelled`);
      // Library messages can quote internals (local addresses, header values): users get the
      // error code, the worker log gets the message (as the cause).
      const code = errorCode(err);
      const cause = err;
      if (code === 'ENOTFOUND') throw new NodeFailure('http_host_not_found', `${req.url.hostname} could not be resolved`, { cause });
      if (code === 'UND_ERR_INVALID_ARG') throw new NodeFailure('http_request_invalid', 'The request could not be sent: a header or the body is not valid', { cause });
      if (code && /^(ERR_TLS_|CERT_|DEPTH_ZERO|SELF_SIGNED|UNABLE_TO_)/.test(code)) {
        throw new NodeFailure('http_tls_failed', `TLS with ${target} failed (${code})`, { cause });
      }
      if (code?.startsWith('UND_ERR_CONNECT_TIMEOUT') || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
        throw new NodeFailure('http_timeout', `Timed out talking to ${target} (${code})`, { cause });
      }
      if (code && TRANSIENT_CODES.has(code)) {
        throw new NodeFailure('http_connection_failed', `Could not complete the request to ${target} (${code})`, { cause });
      }
      throw err;
    }
  };
}
