import { ApiError } from '../../api/errors';

/** The issues of a refused request (a 422's details.issues), each with the field or file it is about. */
export function Issues({ error }: { error: unknown }) {
  const issues = error instanceof ApiError ? error.issues : [];
  if (!issues.length) return null;
  return (
    <ul className="error-text small kb-issues">
      {issues.map((i, n) => (
        <li key={n} className="kb-wrap">
          {i.path !== undefined && <code>{Array.isArray(i.path) ? i.path.join('.') : i.path}</code>} {i.message}
        </li>
      ))}
    </ul>
  );
}
