import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, data, unwrap, type paths } from '../../api/client';
import { useCan } from '../../api/permissions';
import type { Role } from '../../api/session';
import { useSession } from '../../api/use-session';
import { Pagination } from '../../components/Pagination';
import { StatusBadge } from '../../components/StatusBadge';
import { Empty, ErrorBox, QueryState } from '../../components/states';
import { when } from '../../components/time';
import { ConfirmButton, ShownOnce, atMost, rolesUpTo } from './shared';

type ApiKey = paths['/v1/api-keys']['get']['responses'][200]['content']['application/json']['data'][number];
type NewKey = paths['/v1/api-keys']['post']['responses'][201]['content']['application/json']['data'];
type Scope = NonNullable<NonNullable<paths['/v1/api-keys']['post']['requestBody']>['content']['application/json']['scopes']>[number];
type KeyState = 'active' | 'revoked' | 'all';

/** Every scope a key may be narrowed to, with what it allows (a Record, so a new scope must be named here to compile). */
const SCOPES: Record<Scope, string> = {
  'workflows:read': 'read workflows',
  'workflows:write': 'create, edit and publish workflows',
  'runs:read': 'read runs',
  'runs:write': 'start and control runs',
  'approvals:decide': 'decide approvals',
  'knowledge:read': 'read and search knowledge',
  'knowledge:write': 'write knowledge',
  'secrets:write': 'write secrets',
  'providers:write': 'manage model providers',
  'members:read': 'read members',
  'members:write': 'manage members and invitations',
  'keys:write': 'manage API keys',
  'usage:read': 'read usage and quotas',
  'quotas:write': 'set quotas',
  'audit:read': 'read the audit log',
};

function stateOf(k: ApiKey): 'active' | 'revoked' | 'expired' {
  if (k.revokedAt) return 'revoked';
  if (k.expiresAt && Date.parse(k.expiresAt) <= Date.now()) return 'expired';
  return 'active';
}

/** The workspace's API keys: made here, shown once, rotated and revoked (admins and owners). */
export function ApiKeys() {
  const can = useCan();
  const { workspace } = useSession();
  const [shown, setShown] = useState<{ key: NewKey; why: string } | null>(null);
  if (!can('GET /v1/api-keys')) {
    return (
      <Empty title="API keys are managed by admins and owners">
        Your role in this workspace is {workspace?.role}. Ask an admin for a key.
      </Empty>
    );
  }
  return (
    <>
      {shown && (
        <ShownOnce title={`${shown.why}: ${shown.key.name}`} value={shown.key.key} onDismiss={() => setShown(null)}>
          <p className="muted small">Send it as <code>Authorization: Bearer …</code>. Only its prefix ({shown.key.prefix}) is kept to tell it apart.</p>
        </ShownOnce>
      )}
      {can('POST /v1/api-keys') && <CreateKey onCreated={(key) => setShown({ key, why: 'New API key' })} />}
      <KeyList onRotated={(key) => setShown({ key, why: 'Rotated API key' })} />
    </>
  );
}

function CreateKey({ onCreated }: { onCreated: (k: NewKey) => void }) {
  const { workspace } = useSession();
  const queries = useQueryClient();
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('operator');
  const [scopes, setScopes] = useState<Scope[]>([]);
  const [days, setDays] = useState('');
  const daysValid = days === '' || (/^\d+$/.test(days) && Number(days) >= 1 && Number(days) <= 3650);
  const create = useMutation({
    mutationFn: () =>
      data(
        api.POST('/v1/api-keys', {
          body: { name: name.trim(), role, ...(scopes.length ? { scopes } : {}), ...(days ? { expiresInDays: Number(days) } : {}) },
        }),
      ),
    onSuccess: (k) => {
      onCreated(k);
      setName('');
      setScopes([]);
      setDays('');
      void queries.invalidateQueries({ queryKey: ['api-keys'] });
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };
  const toggle = (s: Scope) => setScopes((now) => (now.includes(s) ? now.filter((x) => x !== s) : [...now, s]));

  return (
    <section aria-labelledby="create-key-h">
      <h2 id="create-key-h">Create an API key</h2>
      <form className="card" onSubmit={submit}>
        <div className="toolbar">
          <label>
            Name
            <input value={name} onChange={(e) => setName(e.target.value)} maxLength={100} required />
          </label>
          <label>
            Role
            <select value={role} onChange={(e) => setRole(e.target.value as Role)}>
              {rolesUpTo(workspace?.role).map((r) => (
                <option key={r} value={r}>
                  {r}
                </option>
              ))}
            </select>
          </label>
          <label>
            Expires in (days, optional)
            <input inputMode="numeric" value={days} onChange={(e) => setDays(e.target.value)} size={6} aria-invalid={!daysValid} placeholder="never" />
          </label>
        </div>
        {!daysValid && <p className="error-text small">From 1 to 3650 days, or empty for a key that does not expire.</p>}
        <details>
          <summary>Scopes (optional: narrower than the role)</summary>
          <fieldset className="scopes">
            <legend className="muted small">Without any, the key may do everything its role may.</legend>
            {(Object.keys(SCOPES) as Scope[]).map((s) => (
              <label key={s} className="inline">
                <input type="checkbox" checked={scopes.includes(s)} onChange={() => toggle(s)} />
                <code>{s}</code> <span className="muted small">{SCOPES[s]}</span>
              </label>
            ))}
          </fieldset>
        </details>
        <div className="row">
          <button type="submit" disabled={create.isPending || !name.trim() || !daysValid}>
            {create.isPending ? 'Creating…' : 'Create key'}
          </button>
        </div>
        {create.error && <ErrorBox error={create.error} title="Could not create the key" />}
      </form>
    </section>
  );
}

function KeyList({ onRotated }: { onRotated: (k: NewKey) => void }) {
  const can = useCan();
  const { workspace } = useSession();
  const queries = useQueryClient();
  const [state, setState] = useState<KeyState>('all');
  const [page, setPage] = useState(1);
  const keys = useQuery({
    queryKey: ['api-keys', state, page],
    queryFn: () => unwrap(api.GET('/v1/api-keys', { params: { query: { state, page, limit: 20 } } })),
    placeholderData: keepPreviousData,
  });
  const rotate = useMutation({
    mutationFn: (k: ApiKey) => data(api.POST('/v1/api-keys/{id}/rotate', { params: { path: { id: k.id } } })),
    onSuccess: (k) => onRotated(k),
    onSettled: () => queries.invalidateQueries({ queryKey: ['api-keys'] }),
  });
  const revoke = useMutation({
    mutationFn: (k: ApiKey) => data(api.DELETE('/v1/api-keys/{id}', { params: { path: { id: k.id } } })),
    onSettled: () => queries.invalidateQueries({ queryKey: ['api-keys'] }),
  });
  const failed = rotate.error ?? revoke.error;

  return (
    <section aria-labelledby="keys-h">
      <h2 id="keys-h">API keys</h2>
      <div className="toolbar">
        <label>
          Show
          <select
            value={state}
            onChange={(e) => {
              setState(e.target.value as KeyState);
              setPage(1);
            }}
          >
            <option value="all">all keys</option>
            <option value="active">active keys</option>
            <option value="revoked">revoked keys</option>
          </select>
        </label>
      </div>
      {failed && <ErrorBox error={failed} title={rotate.error ? 'Could not rotate the key' : 'Could not revoke the key'} />}
      <QueryState query={keys} what="API keys">
        {(body) =>
          body.data.length === 0 ? (
            <Empty title="No API keys">{state === 'all' ? 'Create one above for scripts and CI.' : 'None in this list.'}</Empty>
          ) : (
            <>
              <div className="table-wrap">
                <table className="keys">
                  <thead>
                    <tr>
                      <th>Name</th>
                      <th>Role</th>
                      <th>Scopes</th>
                      <th>Prefix</th>
                      <th>Created by</th>
                      <th>Expires</th>
                      <th>Last used</th>
                      <th>Status</th>
                      <th>
                        <span className="visually-hidden">Actions</span>
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {body.data.map((k) => {
                      const st = stateOf(k);
                      const mine = atMost(k.role, workspace?.role);
                      return (
                        <tr key={k.id} data-key-name={k.name} data-key-id={k.id}>
                          <td className="wrap">
                            {k.name}
                            <div className="muted small">created {when(k.createdAt)}</div>
                          </td>
                          <td>
                            <span className="badge">{k.role}</span>
                          </td>
                          <td className="wrap small">{k.scopes.length ? k.scopes.join(', ') : <span className="muted">all of the role</span>}</td>
                          <td>
                            <code>{k.prefix}…</code>
                          </td>
                          <td className="wrap small">{k.createdBy ?? 'command line'}</td>
                          <td className="small">{k.expiresAt ? when(k.expiresAt) : 'never'}</td>
                          <td className="small">{k.lastUsedAt ? when(k.lastUsedAt) : 'never'}</td>
                          <td>
                            <StatusBadge status={st} />
                          </td>
                          <td>
                            <div className="actions">
                              {st === 'active' && mine && can('POST /v1/api-keys/{id}/rotate') && (
                                <ConfirmButton
                                  label={`Rotate ${k.name}`}
                                  confirmLabel="Yes, rotate"
                                  question="A new key replaces it, and this one stops working at once."
                                  busy={rotate.isPending}
                                  onConfirm={() => rotate.mutate(k)}
                                />
                              )}
                              {st === 'active' && mine && can('DELETE /v1/api-keys/{id}') && (
                                <ConfirmButton
                                  label={`Revoke ${k.name}`}
                                  confirmLabel="Yes, revoke"
                                  question="It stops working at once, everywhere."
                                  busy={revoke.isPending}
                                  onConfirm={() => revoke.mutate(k)}
                                />
                              )}
                            </div>
                          </td>
                        </tr>
                      );
                    })}
                  </tbody>
                </table>
              </div>
              <Pagination info={body.pagination} onPage={setPage} />
            </>
          )
        }
      </QueryState>
    </section>
  );
}
