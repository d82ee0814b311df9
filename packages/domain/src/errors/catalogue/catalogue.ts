import { ACCOUNT_ERRORS } from './account.errors';
import { API_ERRORS } from './api.errors';
import { API_KEY_ERRORS } from './api-key.errors';
import { APPROVAL_ERRORS } from './approval.errors';
import { CODE_ERRORS } from './code.errors';
import { fillTemplate, type ErrorSpec, type ParamValue, type TemplateParams } from './error-spec';
import { KNOWLEDGE_ERRORS } from './knowledge.errors';
import { LIMITS_ERRORS } from './limits.errors';
import { HTTP_ERRORS, HTTP_STATUS_FAILURE, isHttpStatusCode, type HttpStatusCode } from './http.errors';
import { LLM_ERROR_CODES } from './llm.errors';
import { MEMBER_ERRORS } from './member.errors';
import { NODE_ERRORS } from './node.errors';
import { RUN_ERRORS } from './run.errors';
import { SESSION_ERRORS } from './session.errors';
import { TEMPLATE_ERRORS } from './template.errors';

/**
 * Every error code the platform emits, one table: whether an activity failure retries, the HTTP
 * status where the API answers with it, and its message template. Executors, handlers, the
 * workflow's retry policies and the API's error middleware all read it, so a second list of
 * "non-retryable codes" cannot drift from it. Validation issue codes (graph rules, run inputs,
 * value checks) are another kind — items inside a 422's `details.issues`, never an error of
 * their own — and stay with the rules that report them.
 */
export const ERROR_CATALOGUE = {
  ...RUN_ERRORS,
  ...API_ERRORS,
  ...ACCOUNT_ERRORS,
  ...MEMBER_ERRORS,
  ...SESSION_ERRORS,
  ...API_KEY_ERRORS,
  ...APPROVAL_ERRORS,
  ...KNOWLEDGE_ERRORS,
  ...LIMITS_ERRORS,
  ...NODE_ERRORS,
  ...TEMPLATE_ERRORS,
  ...CODE_ERRORS,
  ...HTTP_ERRORS,
  ...LLM_ERROR_CODES,
} as const satisfies Record<string, ErrorSpec>;

type Catalogue = typeof ERROR_CATALOGUE;
type Named = keyof Catalogue;

/** A code the platform emits; a literal that is not one does not compile. */
export type ErrorCode = Named | HttpStatusCode;

type SpecOf<C extends ErrorCode> = C extends Named ? Catalogue[C] : typeof HTTP_STATUS_FAILURE;

/** Codes an activity raises (they carry `retryable`). */
export type ActivityErrorCode = { [C in Named]: Catalogue[C] extends { retryable: boolean } ? C : never }[Named] | HttpStatusCode;

/** Codes the API answers with (they carry `status`), or those it answers with one status. */
export type ApiErrorCode<S extends number = number> = { [C in Named]: Catalogue[C] extends { status: S } ? C : never }[Named];

/** The parameters of a code's message template. */
export type ErrorParams<C extends ErrorCode> = Record<TemplateParams<SpecOf<C>['message']>, ParamValue>;

const own = (code: string): code is Named => Object.prototype.hasOwnProperty.call(ERROR_CATALOGUE, code);

export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && (own(code) || isHttpStatusCode(code));
}

/** The spec of a code; undefined for a string that is not one of ours. */
export function errorSpec<C extends ErrorCode>(code: C): SpecOf<C>;
export function errorSpec(code: string): ErrorSpec | undefined;
export function errorSpec(code: string): ErrorSpec | undefined {
  if (own(code)) return ERROR_CATALOGUE[code];
  return isHttpStatusCode(code) ? HTTP_STATUS_FAILURE : undefined;
}

/** Whether an activity failure with this code is tried again under the node's retry policy. */
export function isRetryable(code: ActivityErrorCode): boolean {
  return errorSpec(code).retryable === true;
}

/** The HTTP status the API answers a code with (500 for a code that has none). */
export function httpStatusOf(code: string): number {
  return errorSpec(code)?.status ?? 500;
}

/** The codes the API answers with `status`, in catalogue order. */
export function codesWithStatus(status: number): ApiErrorCode[] {
  return (Object.keys(ERROR_CATALOGUE) as Named[]).filter((code): code is ApiErrorCode => (ERROR_CATALOGUE[code] as ErrorSpec).status === status);
}

/**
 * Every code an activity raises that no retry can fix: what the workflow hands Temporal as
 * `nonRetryableErrorTypes` (activities also mark such failures non-retryable themselves).
 */
export const NON_RETRYABLE_CODES: readonly ActivityErrorCode[] = (Object.keys(ERROR_CATALOGUE) as Named[]).filter(
  (code): code is Extract<ActivityErrorCode, Named> => (ERROR_CATALOGUE[code] as ErrorSpec).retryable === false,
);

/** A code's message: its template with the parameters filled in. */
export function describe<C extends ErrorCode>(code: C, params: ErrorParams<C>): string {
  return fillTemplate(errorSpec(code as ErrorCode).message, params as Readonly<Record<string, ParamValue>>);
}

/** `{code, message}` as stored and shown, the message from the code's template. */
export function publicError<C extends ErrorCode>(code: C, params: ErrorParams<C>): { code: C; message: string } {
  return { code, message: describe(code, params) };
}
