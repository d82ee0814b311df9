import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import type { ActivityErrorCode } from '@weft/domain';
import { NodeFailure } from '../errors/node-failure';
import { retryAfterFromHeaders } from '../errors/retry-after';
import { describeAddressClass } from '../http/ip-classifier';
import { AddressRefusedError } from '../http/ssrf.guard';

/** The llm node's codes by name; whether each retries is the error catalogue's (`@weft/domain`). */
export const LLM_ERRORS = {
  providerNotFound: 'llm_provider_not_found',
  badRequest: 'llm_bad_request',
  unauthorized: 'llm_unauthorized',
  modelNotFound: 'llm_model_not_found',
  rateLimited: 'llm_rate_limited',
  providerError: 'llm_provider_error',
  timeout: 'llm_timeout',
  connection: 'llm_connection_error',
  circuitOpen: 'llm_circuit_open',
  invalidJson: 'llm_invalid_json',
  schemaInvalid: 'llm_response_schema_invalid',
  cancelled: 'llm_cancelled',
  addressRefused: 'llm_address_refused',
  providerInvalid: 'llm_provider_invalid',
} as const satisfies Record<string, ActivityErrorCode>;

/** Characters of an endpoint's own error message kept in a node's error. */
export const VENDOR_MESSAGE_CHARS = 200;

/** A base URL fit for messages and logs: no userinfo, query or fragment. */
export function describeEndpoint(baseUrl: string): string {
  try {
    const u = new URL(baseUrl);
    return `${u.protocol}//${u.host}${u.pathname.replace(/\/$/, '')}`;
  } catch {
    return '(invalid base URL)';
  }
}

/** Longest wait an endpoint's Retry-After can ask for: a hostile or confused one cannot park a run for days. */
export const LLM_MAX_RETRY_AFTER_MS = 10 * 60_000;

/**
 * The endpoint's own words, when it gave them as an OpenAI-style `{"error": {"message": …}}`, cut
 * short. Anything else it sent (an HTML or text error page of whatever answered at that address)
 * is never shown: it may describe internals of a service the tenant should not see.
 */
function vendorMessage(err: APIError): string {
  const body = err.error as { message?: unknown } | undefined;
  if (!body || typeof body !== 'object' || typeof body.message !== 'string' || !body.message.trim()) return '';
  const text = body.message.trim();
  return `: ${text.length > VENDOR_MESSAGE_CHARS ? `${text.slice(0, VENDOR_MESSAGE_CHARS)}…` : text}`;
}

/** The guard's refusal, wherever the SDK and fetch wrapped it. */
function refusal(err: unknown): AddressRefusedError | undefined {
  for (let e = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) if (e instanceof AddressRefusedError) return e;
  return undefined;
}

/**
 * Maps an error of the openai SDK to a NodeFailure: 429, 408, 409, 5xx, timeouts and connection
 * errors are retryable (429 and 503 honour Retry-After); 400/422, 401/403 and 404 are not.
 */
export function toLlmFailure(err: unknown, endpoint: string): NodeFailure {
  if (err instanceof NodeFailure) return err;
  const refused = refusal(err);
  if (refused) {
    return new NodeFailure(
      LLM_ERRORS.addressRefused,
      `Refused to call the model provider at ${endpoint}: it is the ${describeAddressClass(refused.classification)}, and requests to internal ` +
        'addresses are blocked; an operator can allow this endpoint with WEFT_MODEL_PROVIDER_ALLOWLIST',
      { details: { kind: refused.classification.kind } },
    );
  }
  if (err instanceof APIUserAbortError) return new NodeFailure(LLM_ERRORS.cancelled, 'The call to the model provider was cancelled');
  if (err instanceof APIConnectionTimeoutError) {
    return new NodeFailure(LLM_ERRORS.timeout, `The model provider at ${endpoint} did not answer in time`);
  }
  if (err instanceof APIConnectionError) {
    return new NodeFailure(LLM_ERRORS.connection, `Could not reach the model provider at ${endpoint}`, { cause: err });
  }
  if (err instanceof APIError) {
    const status = err.status;
    const at = `The model provider at ${endpoint}`;
    const details = { status: status ?? null };
    const said = vendorMessage(err);
    if (status === 400 || status === 413 || status === 422) {
      return new NodeFailure(LLM_ERRORS.badRequest, `${at} rejected the request (${status})${said}`, { details });
    }
    if (status === 401 || status === 403) {
      return new NodeFailure(LLM_ERRORS.unauthorized, `${at} refused the API key (${status})${said}`, { details });
    }
    if (status === 404) {
      return new NodeFailure(LLM_ERRORS.modelNotFound, `${at} does not know this model or path (404)${said}`, { details });
    }
    const wait = retryAfterFromHeaders(err.headers, { capMs: LLM_MAX_RETRY_AFTER_MS });
    const retry = { details, ...(wait !== undefined ? { retryAfterMs: wait } : {}) };
    if (status === 429) return new NodeFailure(LLM_ERRORS.rateLimited, `${at} is rate limiting (429)${said}`, retry);
    if (status === 408) return new NodeFailure(LLM_ERRORS.timeout, `${at} timed out the request (408)`, retry);
    if (status === undefined) return new NodeFailure(LLM_ERRORS.providerError, `${at} failed while answering${said}`, { ...retry, cause: err });
    if (status >= 500 || status === 409) return new NodeFailure(LLM_ERRORS.providerError, `${at} failed (${status})${said}`, retry);
    if (status >= 300 && status < 400) {
      return new NodeFailure(LLM_ERRORS.badRequest, `${at} answered with a redirect (${status}), which is not followed`, { details });
    }
    return new NodeFailure(LLM_ERRORS.badRequest, `${at} rejected the request (${status})${said}`, { details });
  }
  // Anything else (a malformed stream, a bug) is transient more often than not. Its text may name
  // internals (library messages, paths), so it goes to the worker log as the cause, not to the run.
  return new NodeFailure(LLM_ERRORS.providerError, `The call to the model provider at ${endpoint} failed unexpectedly`, { cause: err });
}
