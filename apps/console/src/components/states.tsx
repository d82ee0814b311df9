import type { ReactNode } from 'react';
import { messageOf } from '../api/errors';
import { ApiError } from '../api/errors';

/** A spinner with words: what is loading. */
export function Loading({ what = 'Loading' }: { what?: string }) {
  return (
    <div className="state loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      {what}…
    </div>
  );
}

/** An error a person can read, with the request id for support, and a retry when there is one. */
export function ErrorBox({ error, retry, title = 'That did not work' }: { error: unknown; retry?: () => void; title?: string }) {
  const requestId = error instanceof ApiError ? error.requestId : undefined;
  return (
    <div className="state error" role="alert">
      <strong>{title}</strong>
      <p>{messageOf(error)}</p>
      {requestId && <p className="muted small">Reference: {requestId}</p>}
      {retry && (
        <button type="button" onClick={retry}>
          Try again
        </button>
      )}
    </div>
  );
}

/** Nothing here yet: what would be here, and how to make some. */
export function Empty({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="state empty">
      <strong>{title}</strong>
      {children && <div className="muted">{children}</div>}
    </div>
  );
}

/** A query's three states in one place: loading, error (with retry), or the page. */
export function QueryState<T>({
  query,
  what,
  children,
}: {
  query: { isPending: boolean; error: unknown; data: T | undefined; refetch: () => unknown };
  what?: string;
  children: (data: T) => ReactNode;
}) {
  if (query.isPending) return <Loading what={what} />;
  if (query.error) return <ErrorBox error={query.error} retry={() => void query.refetch()} title={`Could not load ${what?.toLowerCase() ?? 'this'}`} />;
  return <>{children(query.data as T)}</>;
}
