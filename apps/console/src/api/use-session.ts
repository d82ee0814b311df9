import { useSyncExternalStore } from 'react';
import { session, type Session, type Workspace } from './session';

let snapshot = session.get();
session.subscribe((s) => {
  snapshot = s;
});

/** The session, re-rendering on sign-in, sign-out, refresh and workspace switch. */
export function useSession(): { session: Session | null; workspace: Workspace | null } {
  const s = useSyncExternalStore(
    (cb) => session.subscribe(() => cb()),
    () => snapshot,
  );
  const workspace = s?.workspaces.find((w) => w.id === s.workspaceId) ?? null;
  return { session: s, workspace };
}
