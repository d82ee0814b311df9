import { DomainError, describe, type ApiErrorCode } from '@weft/domain';

/**
 * Errors that belong to the HTTP edge rather than the domain (auth, malformed requests). Each
 * class takes only codes the error catalogue answers with its status, so the status a client
 * gets is the catalogue's.
 */
export class UnauthorizedError extends DomainError {
  readonly code = 'unauthorized';
}

export class ForbiddenError extends DomainError {
  readonly code = 'forbidden';
}

export class MalformedRequestError extends DomainError {
  constructor(
    readonly code: ApiErrorCode<400>,
    message: string,
    details?: unknown,
  ) {
    super(message, details);
  }
}

export class PayloadTooLargeError extends DomainError {
  readonly code = 'payload_too_large';
}

/** A body in an encoding or charset we do not read (HTTP 415). */
export class UnsupportedMediaTypeError extends DomainError {
  constructor(
    readonly code: ApiErrorCode<415>,
    message: string,
    details?: unknown,
  ) {
    super(message, details);
  }
}

export type Dependency = 'database' | 'temporal' | 'redis';

/** A dependency (PostgreSQL, Redis, Temporal) could not be reached. */
export class DependencyUnavailableError extends DomainError {
  readonly code: `${Dependency}_unavailable`;
  constructor(readonly dependency: Dependency, cause?: unknown) {
    const code = `${dependency}_unavailable` as const;
    super(describe(code, {}));
    this.code = code;
    if (cause) this.cause = cause;
  }
}
