import { useQuery, useQueryClient } from '@tanstack/react-query';
import { api, data } from '../api/client';
import { useEffect } from 'react';
import { NavLink, Navigate, Outlet, useLocation, useNavigate } from 'react-router';
import { session } from '../api/session';
import { useSession } from '../api/use-session';

const SECTIONS = [
  { to: '/workflows', label: 'Workflows' },
  { to: '/runs', label: 'Runs' },
  { to: '/approvals', label: 'Approvals' },
  { to: '/knowledge', label: 'Knowledge' },
  { to: '/settings', label: 'Settings' },
];

/** The signed-in frame: workspace switcher, who is signed in, sign-out, and the sections. */
export function Layout() {
  const { session: s, workspace } = useSession();
  const location = useLocation();
  const navigate = useNavigate();
  const queries = useQueryClient();

  // The session ended (expired, signed out here or in another tab) or its workspace changed (here or
  // in another tab: the session is shared): nothing of the previous one stays in the cache, and its
  // requests still in flight are cancelled (most query keys do not name the workspace).
  useEffect(() => {
    let seen = session.get()?.workspaceId ?? null;
    return session.subscribe((next) => {
      const ws = next?.workspaceId ?? null;
      if (!next || ws !== seen) queries.clear();
      seen = ws;
    });
  }, [queries]);

  // The account's workspaces and roles as the server has them now (a role changed, a workspace
  // joined): the switcher and what each page offers follow. This also checks the session is alive.
  const workspaces = useQuery({
    queryKey: ['workspaces', s?.account.id],
    queryFn: () => data(api.GET('/v1/workspaces', { params: { query: { limit: 100 } } })),
    enabled: !!s,
    refetchInterval: 60_000,
  });
  useEffect(() => {
    const list = workspaces.data;
    if (!list || !s) return;
    if (JSON.stringify(list) !== JSON.stringify(s.workspaces)) {
      session.setWorkspaces(list, list.some((w) => w.id === s.workspaceId) ? s.workspaceId : (list[0]?.id ?? null));
    }
  }, [workspaces.data, s]);

  if (!s) {
    const why: Record<string, string> = session.ended === 'expired' ? { expired: '1' } : {};
    return <Navigate to={`/sign-in?${new URLSearchParams({ ...why, next: location.pathname + location.search })}`} replace />;
  }

  const switchTo = (id: string) => {
    if (id === s.workspaceId) return;
    // The session's subscription above clears the cache of the previous workspace.
    session.selectWorkspace(id);
    const section = SECTIONS.find((x) => location.pathname.startsWith(x.to))?.to ?? '/workflows';
    void navigate(section);
  };

  return (
    <div className="shell">
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <span className="brand">Weft</span>
        <label className="switcher">
          <span className="muted small">Workspace</span>
          <select aria-label="Workspace" value={s.workspaceId ?? ''} onChange={(e) => switchTo(e.target.value)}>
            {s.workspaces.length === 0 && <option value="">No workspace</option>}
            {s.workspaces.map((w) => (
              <option key={w.id} value={w.id}>
                {w.name} ({w.role})
              </option>
            ))}
          </select>
        </label>
        <span className="who muted" title={s.account.email}>
          {s.account.email}
        </span>
        <button type="button" className="secondary" onClick={() => void session.signOut()}>
          Sign out
        </button>
      </header>
      <nav className="sidenav" aria-label="Sections">
        {SECTIONS.map((x) => (
          <NavLink key={x.to} to={x.to}>
            {x.label}
          </NavLink>
        ))}
      </nav>
      <main id="main" tabIndex={-1}>
        {workspace ? (
          <Outlet key={workspace.id} />
        ) : (
          <div className="state empty">
            <strong>You are not a member of any workspace yet.</strong>
            <div className="muted">Ask an owner or admin to invite you.</div>
          </div>
        )}
      </main>
    </div>
  );
}
