/** A problem found in a workflow graph or in a request checked against one. */
export interface Issue {
  code: string;
  message: string;
  nodeId?: string;
  edgeId?: string;
  path?: (string | number)[];
}

/**
 * Base of every error Weft reports on purpose. `code` is stable and machine-readable; the API maps
 * each subclass to one HTTP status in a single table.
 */
export abstract class DomainError extends Error {
  abstract readonly code: string;
  readonly details?: unknown;

  constructor(message: string, details?: unknown) {
    super(message);
    this.name = new.target.name;
    this.details = details;
  }
}

/** The request is well-formed but what it carries breaks a domain rule (HTTP 422). */
export class ValidationFailedError extends DomainError {
  constructor(
    readonly code: string,
    message: string,
    readonly issues: Issue[],
  ) {
    super(message, { issues });
  }
}

export class InvalidGraphError extends ValidationFailedError {
  constructor(issues: Issue[]) {
    super('workflow_invalid_graph', `The workflow graph has ${issues.length} problem(s)`, issues);
  }
}

export class InvalidRunInputsError extends ValidationFailedError {
  constructor(issues: Issue[]) {
    super('run_invalid_inputs', `The run inputs have ${issues.length} problem(s)`, issues);
  }
}

/** The thing does not exist, or belongs to another tenant (HTTP 404). */
export class NotFoundError extends DomainError {
  readonly code: string;
  constructor(resource: string, id: string) {
    super(`${resource} '${id}' was not found`);
    this.code = `${resource}_not_found`;
  }
}

/** The thing exists but its state does not allow the request (HTTP 409). */
export class ConflictError extends DomainError {
  constructor(
    readonly code: string,
    message: string,
    details?: unknown,
  ) {
    super(message, details);
  }
}
