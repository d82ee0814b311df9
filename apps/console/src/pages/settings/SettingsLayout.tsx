import { NavLink, Outlet } from 'react-router';
import { useSession } from '../../api/use-session';

const TABS = [
  { to: 'members', label: 'Members' },
  { to: 'api-keys', label: 'API keys' },
  { to: 'usage', label: 'Usage and quotas' },
  { to: 'audit', label: 'Audit log' },
];

/** The workspace's settings: a heading, the sub-pages as links, and the one shown. */
export function SettingsLayout() {
  const { workspace } = useSession();
  return (
    <div className="settings">
      <h1>
        Settings <span className="muted small ws-name">{workspace?.name}</span>
      </h1>
      <p className="muted small">
        Your role here: <strong>{workspace?.role}</strong>
      </p>
      <nav className="tabs" aria-label="Settings">
        {TABS.map((t) => (
          <NavLink key={t.to} to={t.to}>
            {t.label}
          </NavLink>
        ))}
      </nav>
      <Outlet />
    </div>
  );
}
