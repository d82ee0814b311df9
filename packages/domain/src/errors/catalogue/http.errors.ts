import { errorArea } from './error-spec';

/**
 * The http-request node. A final status is an output to branch on, except 429 and 5xx: those fail
 * the attempt as `http_status_<status>` (see HTTP_STATUS_FAILURE), which always retries.
 */
export const HTTP_ERRORS = errorArea({
  http_request_invalid: { retryable: false, message: 'Invalid http-request settings: {issues}' },
  http_url_invalid: { retryable: false, message: '"{url}" is not a valid URL' },
  http_address_refused: { retryable: false, message: 'Refused to connect to {target}: it is the {addressClass}' },
  http_host_not_found: { retryable: false, message: '{host} could not be resolved' },
  http_tls_failed: { retryable: false, message: 'TLS with {target} failed ({code})' },
  http_too_many_redirects: { retryable: false, message: 'More than {limit} redirects, last from {target}' },
  http_response_too_large: { retryable: false, message: "The response from {target} is larger than the node's limit of {limit} bytes (maxResponseBytes)" },
  http_timeout: { retryable: true, message: 'No complete response from {target} within {budget} ms' },
  http_connection_failed: { retryable: true, message: 'Could not complete the request to {target} ({code})' },
  // A cancelled node's request: the attempt is abandoned, and a run that is not cancelled may try again.
  http_aborted: { retryable: true, message: 'The request to {target} was abandoned: the node was cancelled' },
  // A worker setting (WEFT_HTTP_ALLOWLIST) the worker refuses at start-up; never a node's failure.
  http_allowlist_invalid: { message: 'WEFT_HTTP_ALLOWLIST entry {entry} is not valid: {reason}' },
});

/** The family of codes for a retryable response status: `http_status_429`, `http_status_503`, … */
export type HttpStatusCode = `http_status_${number}`;

export const HTTP_STATUS_FAILURE = { retryable: true, message: 'HTTP {status} from {target}' } as const;

const HTTP_STATUS = /^http_status_(?:429|5\d\d)$/;

export function isHttpStatusCode(code: string): code is HttpStatusCode {
  return HTTP_STATUS.test(code);
}

/** The code an HTTP status fails an attempt with: only 429 and 5xx do. */
export function httpStatusCode(status: number): HttpStatusCode {
  return `http_status_${status}`;
}
