import { DomainError } from '@weft/domain';

/** Errors that belong to the HTTP edge rather than the domain (auth, malformed requests). */
export class UnauthorizedError extends DomainError {
  readonly code = 'unauthorized';
}

export class ForbiddenError extends DomainError {
  readonly code = 'forbidden';
}

export class MalformedRequestError extends DomainError {
  constructor(
    readonly code: string,
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
    readonly code: string,
    message: string,
    details?: unknown,
  ) {
    super(message, details);
  }
}

/** A dependency (PostgreSQL, Redis, Temporal) could not be reached. */
export class DependencyUnavailableError extends DomainError {
  readonly code: string;
  constructor(readonly dependency: string, cause?: unknown) {
    super(`${dependency} is unavailable; try again shortly`);
    this.code = `${dependency}_unavailable`;
    if (cause) this.cause = cause;
  }
}
