/** A refusal or failure of the API, as its error envelope says it: a stable code and a plain message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly requestId?: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** The validator's issues of a 422 (details.issues), each naming the node or field it is about. */
  get issues(): Issue[] {
    const issues = (this.details as { issues?: unknown } | undefined)?.issues;
    return Array.isArray(issues) ? (issues as Issue[]) : [];
  }
}

export interface Issue {
  code: string;
  message: string;
  nodeId?: string;
  edgeId?: string;
  path?: (string | number)[] | string;
}

/** The error of a response body that is not the envelope (a proxy's page, a dropped connection). */
export function errorFromBody(status: number, body: unknown): ApiError {
  const b = (body ?? {}) as { code?: unknown; message?: unknown; request_id?: unknown; details?: unknown };
  if (typeof b.code === 'string' && typeof b.message === 'string') {
    return new ApiError(status, b.code, b.message, typeof b.request_id === 'string' ? b.request_id : undefined, b.details);
  }
  if (status === 0) return new ApiError(0, 'network_error', 'The server could not be reached. Check your connection and try again.');
  if (status >= 500) return new ApiError(status, 'server_error', 'The server had a problem. Try again in a moment.');
  return new ApiError(status, 'unexpected_response', `The server answered ${status}.`);
}

/** What a person reads for any error thrown while loading or doing something. */
export function messageOf(err: unknown): string {
  if (err instanceof ApiError) {
    switch (err.code) {
      case 'forbidden':
        return `Your role in this workspace does not allow this. (${err.message})`;
      case 'rate_limited':
        return 'Too many requests right now. Wait a moment and try again.';
      default:
        return err.message;
    }
  }
  if (err instanceof Error && err.name === 'AbortError') return 'Cancelled.';
  return 'Something went wrong. Try again.';
}
