import type { Express, Request } from 'express';
import { describe, measureValue, type ApiErrorCode, type ValueProblemCode } from '@weft/domain';
import { MalformedRequestError } from './http.errors';

export interface InputLimits {
  /** nesting levels of objects and arrays in a body (the body itself is level 1) */
  maxDepth: number;
}

export const DEFAULT_INPUT_LIMITS: Readonly<InputLimits> = Object.freeze({ maxDepth: 64 });

/** Headers whose value is stored in PostgreSQL. */
const STORED_HEADERS = ['idempotency-key'] as const;

const LOCALS_KEY = 'weftInputLimits';

/** The limits `handle()` checks requests against: an app-wide setting, set once by createApp. */
export function setInputLimits(app: Express, limits: InputLimits): void {
  app.locals[LOCALS_KEY] = Object.freeze({ ...limits });
}

function limitsOf(req: Request): InputLimits {
  return (req.app?.locals?.[LOCALS_KEY] as InputLimits | undefined) ?? DEFAULT_INPUT_LIMITS;
}

const CODES: Record<Exclude<ValueProblemCode, 'value_too_large'>, { code: ApiErrorCode<400>; says: (at: string, limits: InputLimits) => string }> = {
  value_string_unstorable: {
    code: 'request_invalid_text',
    says: (at) => describe('request_invalid_text', { at }),
  },
  value_too_deep: {
    code: 'request_too_deep',
    says: (at, limits) => describe('request_too_deep', { limit: limits.maxDepth, at }),
  },
  value_key_forbidden: {
    code: 'request_forbidden_key',
    says: (at) => describe('request_forbidden_key', { at }),
  },
};

function shown(path: (string | number)[]): string {
  const parts = path.length > 12 ? [...path.slice(0, 6), '…', ...path.slice(-3)] : path;
  return parts.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p.length > 40 ? `${p.slice(0, 40)}…` : p}`)).join('').replace(/^\./, '');
}

/**
 * Refuses, before any schema parsing or graph walk, what would crash or confuse what comes after:
 * strings PostgreSQL cannot store, nesting deep enough to overflow a recursive walker or the ORM, and
 * keys that would set a prototype. The walk is iterative and stops at the first problem, so a hostile
 * body costs no more than the limit it breaks.
 */
export function checkRequestInput(req: Request): void {
  const limits = limitsOf(req);
  const parts: [string, unknown][] = [
    ['body', req.body],
    ['query', req.query],
    ['params', req.params],
    ['headers', Object.fromEntries(STORED_HEADERS.filter((h) => req.headers[h] !== undefined).map((h) => [h, req.headers[h]]))],
  ];
  for (const [part, value] of parts) {
    // The body's own object is level 1, like the limit's wording; query, params and headers are flat.
    const { problem } = measureValue(value, { maxDepth: limits.maxDepth, refuseUnstorable: true });
    if (!problem || problem.code === 'value_too_large') continue;
    const path = [part, ...problem.path];
    const { code, says } = CODES[problem.code];
    throw new MalformedRequestError(code, says(shown(path), limits), { path: path.slice(0, 64) });
  }
}
