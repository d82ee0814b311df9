import type { paths } from './generated/schema';
import { anonymousApi } from './anonymous';
import { errorFromBody } from './errors';

type SessionBody = paths['/v1/auth/sign-in']['post']['responses'][200]['content']['application/json']['data'];
export type Account = SessionBody['account'];
export type Workspace = SessionBody['workspaces'][number];
export type Role = Workspace['role'];

/** A signed-in session as this browser keeps it (localStorage, so it survives a reload and is shared by tabs). */
export interface Session {
  accessToken: string;
  /** epoch ms at which the access token stops being accepted */
  accessExpiresAt: number;
  refreshToken: string;
  account: Account;
  workspaces: Workspace[];
  /** the workspace every request names (X-Workspace-Id) */
  workspaceId: string | null;
}

const KEY = 'weft.session';
// Refresh this long before the access token expires, so a request never leaves with a dying token.
const EARLY_MS = 30_000;

type Listener = (s: Session | null, why?: EndReason) => void;
export type EndReason = 'signed-out' | 'expired';

function read(): Session | null {
  try {
    const raw = localStorage.getItem(KEY);
    return raw ? (JSON.parse(raw) as Session) : null;
  } catch {
    return null;
  }
}

function fromBody(b: SessionBody, keepWorkspace?: string | null): Session {
  const ids = new Set(b.workspaces.map((w) => w.id));
  return {
    accessToken: b.accessToken,
    accessExpiresAt: Date.now() + b.expiresIn * 1000,
    refreshToken: b.refreshToken,
    account: b.account,
    workspaces: b.workspaces,
    workspaceId: keepWorkspace && ids.has(keepWorkspace) ? keepWorkspace : b.workspaceId,
  };
}

/** A call of the anonymous client as status and body; status 0 when the server could not be reached. */
async function call(request: Promise<{ data?: unknown; error?: unknown; response: Response }>): Promise<{ status: number; body: any }> {
  try {
    const r = await request;
    return { status: r.response.status, body: r.response.ok ? r.data : r.error };
  } catch {
    return { status: 0, body: null };
  }
}

/**
 * The one session of this browser: sign-in, refresh (one at a time across tabs: a refresh token is
 * single use, and presenting a used one revokes the session), workspace choice and sign-out. Pages
 * read it through useSession(); the API client asks it for a fresh token before each request.
 */
class SessionStore {
  private current: Session | null = read();
  private listeners = new Set<Listener>();
  private refreshing: Promise<Session | null> | null = null;
  /** why the last session of this page ended (the sign-in page says so) */
  ended: EndReason | null = null;

  constructor() {
    // Another tab signed in, out, refreshed or switched workspace.
    window.addEventListener('storage', (e) => {
      if (e.key !== KEY) return;
      const next = read();
      const ended = this.current && !next;
      this.current = next;
      if (ended) this.ended = 'signed-out';
      this.emit(ended ? 'signed-out' : undefined);
    });
  }

  get(): Session | null {
    return this.current;
  }

  subscribe(l: Listener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  private set(s: Session | null, why?: EndReason) {
    this.current = s;
    this.ended = s ? null : (why ?? this.ended);
    if (s) localStorage.setItem(KEY, JSON.stringify(s));
    else localStorage.removeItem(KEY);
    this.emit(why);
  }

  private emit(why?: EndReason) {
    for (const l of this.listeners) l(this.current, why);
  }

  async signIn(email: string, password: string, workspaceId?: string): Promise<Session> {
    const r = await call(anonymousApi.POST('/v1/auth/sign-in', { body: { email, password, ...(workspaceId ? { workspaceId } : {}) } }));
    if (r.status !== 200) throw errorFromBody(r.status, r.body);
    const s = fromBody(r.body.data as SessionBody);
    this.set(s);
    return s;
  }

  /** Ends the session on the server too (its access tokens stop working at once). */
  async signOut(): Promise<void> {
    const s = this.current;
    this.set(null, 'signed-out');
    if (s) await call(anonymousApi.POST('/v1/auth/sign-out', { headers: { Authorization: `Bearer ${s.accessToken}` } }));
  }

  /** The session ended on the server (expired, revoked): forget it and say why. */
  expire(): void {
    if (this.current) this.set(null, 'expired');
  }

  selectWorkspace(id: string): void {
    if (this.current && this.current.workspaces.some((w) => w.id === id)) this.set({ ...this.current, workspaceId: id });
  }

  /** Workspaces changed (one created, an invitation accepted): the list the switcher shows. */
  setWorkspaces(workspaces: Workspace[], select?: string | null): void {
    if (!this.current) return;
    this.set({ ...this.current, workspaces, workspaceId: select === undefined ? this.current.workspaceId : select });
  }

  /** An access token good for at least EARLY_MS more, refreshing first when needed; null: signed out. */
  async token(force = false): Promise<string | null> {
    const s = this.current;
    if (!s) return null;
    if (!force && s.accessExpiresAt - Date.now() > EARLY_MS) return s.accessToken;
    return (await this.refresh(s))?.accessToken ?? null;
  }

  private refresh(seen: Session): Promise<Session | null> {
    this.refreshing ??= this.withLock(async () => {
      // Another tab may have refreshed while this one waited for the lock: take its tokens.
      const latest = read();
      if (!latest) {
        this.set(null, 'expired');
        return null;
      }
      if (latest.refreshToken !== seen.refreshToken && latest.accessExpiresAt - Date.now() > EARLY_MS) {
        this.current = latest;
        return latest;
      }
      const r = await call(anonymousApi.POST('/v1/auth/refresh', { body: { refreshToken: latest.refreshToken, ...(latest.workspaceId ? { workspaceId: latest.workspaceId } : {}) } }));
      if (r.status === 200) {
        const next = fromBody(r.body.data as SessionBody, latest.workspaceId);
        this.set(next);
        return next;
      }
      // A network failure keeps the session (the next request tries again); a refusal ends it.
      if (r.status === 0 || r.status >= 500) return latest;
      this.set(null, 'expired');
      return null;
    }).finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  private async withLock<T>(fn: () => Promise<T>): Promise<T> {
    const locks = (navigator as Navigator & { locks?: LockManager }).locks;
    return locks ? (locks.request('weft.session.refresh', fn) as Promise<T>) : fn();
  }
}

export const session = new SessionStore();
