import { Link } from 'react-router';

export function NotFound() {
  return (
    <div className="state empty">
      <strong>There is no page here.</strong>
      <div className="muted">
        It may have been moved, or it belongs to another workspace. <Link to="/workflows">Go to workflows</Link>.
      </div>
    </div>
  );
}
