import { describe, httpStatusOf, type ApiErrorCode } from './catalogue';

/** A problem found in a workflow graph or in a request checked against one. */
export interface Issue {
  code: string;
  message: string;
  nodeId?: string;
  edgeId?: string;
  path?: (string | number)[];
}

/**
 * Base of every error Weft reports on purpose. `code` is stable and machine-readable, one of the
 * error catalogue's API codes, which also fixes the HTTP status the API answers with.
 */
export abstract class DomainError extends Error {
  abstract readonly code: ApiErrorCode;
  readonly details?: unknown;

  constructor(message: string, details?: unknown) {
    super(message);
    this.name = new.target.name;
    this.details = details;
  }

  /** The HTTP status of this error's code, from the catalogue. */
  get status(): number {
    return httpStatusOf(this.code);
  }
}

/** The request is well-formed but what it carries breaks a domain rule (HTTP 422). */
export class ValidationFailedError extends DomainError {
  constructor(
    readonly code: ApiErrorCode<422>,
    message: string,
    readonly issues: Issue[],
  ) {
    super(message, { issues });
  }
}

export class InvalidGraphError extends ValidationFailedError {
  constructor(issues: Issue[]) {
    super('workflow_invalid_graph', describe('workflow_invalid_graph', { count: issues.length }), issues);
  }
}

export class InvalidRunInputsError extends ValidationFailedError {
  constructor(issues: Issue[]) {
    super('run_invalid_inputs', describe('run_invalid_inputs', { count: issues.length }), issues);
  }
}

/** The thing does not exist, or belongs to another tenant (HTTP 404). */
export type NotFoundResource = 'workflow' | 'workflow_version' | 'run';

export class NotFoundError extends DomainError {
  readonly code: `${NotFoundResource}_not_found`;
  constructor(resource: NotFoundResource, id: string) {
    const code = `${resource}_not_found` as const;
    super(describe(code, { id }));
    this.code = code;
  }
}

/** The thing exists but its state does not allow the request (HTTP 409). */
export class ConflictError extends DomainError {
  constructor(
    readonly code: ApiErrorCode<409>,
    message: string,
    details?: unknown,
  ) {
    super(message, details);
  }
}
