import { Agent, buildConnector, fetch as undiciFetch, type RequestInit as UndiciRequestInit } from 'undici';
import { EMPTY_ALLOWLIST, parseHttpAllowlist, type HttpAllowlist } from '../http/http-allowlist';
import { guardedConnector, SsrfGuard, type Resolver } from '../http/ssrf.guard';

/** The `fetch` the openai SDK is handed (its `Fetch` option type). */
export type ProviderFetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

export interface GuardedFetchOptions {
  /** Endpoints exempt from the SSRF guard: WEFT_MODEL_PROVIDER_ALLOWLIST entries, or their parsed form. Default: none. */
  allowlist?: readonly string[] | HttpAllowlist;
  /** DNS port; the system resolver by default. */
  resolve?: Resolver;
  /** Opens the socket to an address the guard has checked; undici's connector by default. */
  openSocket?: buildConnector.connector;
}

const isEntryList = (v: readonly string[] | HttpAllowlist): v is readonly string[] => Array.isArray(v);

/**
 * A fetch for model providers behind the http-request node's SSRF guard: the address each
 * connection actually opens to (after DNS) must be public unless the allowlist names it. A
 * provider's base URL is tenant data, and its requests carry the provider key, so a provider
 * pointed at a loopback port or an internal service is refused before any byte is sent.
 *
 * Redirects are not followed: an OpenAI-compatible endpoint has no reason to redirect, and a
 * followed redirect would take the key somewhere the tenant did not name.
 */
export function createGuardedFetch(options: GuardedFetchOptions = {}): ProviderFetch {
  const allowlist = !options.allowlist ? EMPTY_ALLOWLIST : isEntryList(options.allowlist) ? parseHttpAllowlist(options.allowlist) : options.allowlist;
  const guard = new SsrfGuard(allowlist, options.resolve);
  const agent = new Agent({ connect: guardedConnector(guard, options.openSocket ?? buildConnector({})) });
  return async (input, init) => {
    const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
    // IP literals and localhost names are judged here, before the request is even queued.
    guard.precheck(url.hostname, Number(url.port) || (url.protocol === 'https:' ? 443 : 80));
    const target = typeof input === 'string' || input instanceof URL ? url : (input as unknown as Parameters<typeof undiciFetch>[0]);
    const res = await undiciFetch(target, { ...(init as UndiciRequestInit), redirect: 'manual', dispatcher: agent });
    return res as unknown as Response;
  };
}

let shared: ProviderFetch | undefined;

/** The guarded fetch with an empty allowlist, for adapters built without one of their own. */
export function defaultGuardedFetch(): ProviderFetch {
  return (shared ??= createGuardedFetch());
}
