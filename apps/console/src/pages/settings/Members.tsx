import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { api, data, unwrap, type paths } from '../../api/client';
import { messageOf } from '../../api/errors';
import { useCan } from '../../api/permissions';
import { session, type Role } from '../../api/session';
import { useSession } from '../../api/use-session';
import { Pagination } from '../../components/Pagination';
import { Empty, ErrorBox, QueryState } from '../../components/states';
import { when } from '../../components/time';
import { ConfirmButton, ShownOnce, atMost, rolesUpTo } from './shared';

type Member = paths['/v1/members']['get']['responses'][200]['content']['application/json']['data'][number];
type Invitation = paths['/v1/invitations']['get']['responses'][200]['content']['application/json']['data'][number];
type NewInvitation = paths['/v1/invitations']['post']['responses'][201]['content']['application/json']['data'];

/** The workspace's members with their roles, invitations by email, and the pending ones. */
export function Members() {
  const can = useCan();
  return (
    <>
      <MemberList />
      {can('POST /v1/invitations') && <InviteForm />}
      {can('GET /v1/invitations') && <PendingInvitations />}
    </>
  );
}

function MemberList() {
  const can = useCan();
  const { session: s, workspace } = useSession();
  const queries = useQueryClient();
  const navigate = useNavigate();
  const [page, setPage] = useState(1);
  const [notice, setNotice] = useState<{ ok: boolean; text: string } | null>(null);
  const members = useQuery({
    queryKey: ['members', page],
    queryFn: () => unwrap(api.GET('/v1/members', { params: { query: { page, limit: 50 } } })),
    placeholderData: keepPreviousData,
  });
  const own = workspace?.role;
  const mayChange = can('PATCH /v1/members/{id}');
  const mayRemove = can('DELETE /v1/members/{id}');

  const changeRole = useMutation({
    mutationFn: (v: { member: Member; role: Role }) => data(api.PATCH('/v1/members/{id}', { params: { path: { id: v.member.id } }, body: { role: v.role } })),
    onSuccess: (m) => setNotice({ ok: true, text: `${m.email} is now ${m.role}.` }),
    onError: (err) => setNotice({ ok: false, text: messageOf(err) }),
    onSettled: () => queries.invalidateQueries({ queryKey: ['members'] }),
  });
  const remove = useMutation({
    mutationFn: (m: Member) => data(api.DELETE('/v1/members/{id}', { params: { path: { id: m.id } } })),
    onSuccess: (_r, m) => {
      if (s && m.accountId === s.account.id) {
        // Left the workspace: the switcher and the pages follow the account's other workspaces. Not
        // read again from GET /v1/workspaces here: that request would still name the workspace just
        // left (header or token claim) and be answered 404; the frame's own refresh catches up.
        const remaining = s.workspaces.filter((w) => w.id !== workspace?.id);
        session.setWorkspaces(remaining, remaining[0]?.id ?? null);
        queries.clear();
        void navigate('/workflows');
        return;
      }
      setNotice({ ok: true, text: `${m.email} was removed from the workspace.` });
    },
    onError: (err) => setNotice({ ok: false, text: messageOf(err) }),
    onSettled: () => queries.invalidateQueries({ queryKey: ['members'] }),
  });

  return (
    <section aria-labelledby="members-h">
      <h2 id="members-h">Members</h2>
      {notice && (
        <p className={notice.ok ? 'notice' : 'error-text'} role={notice.ok ? 'status' : 'alert'}>
          {notice.text}
        </p>
      )}
      <QueryState query={members} what="Members">
        {(body) =>
          body.data.length === 0 ? (
            <Empty title="No members">Invite someone by email below.</Empty>
          ) : (
            <>
              <div className="table-wrap">
                <table>
                  <thead>
                    <tr>
                      <th>Email</th>
                      <th>Name</th>
                      <th>Role</th>
                      <th>Member since</th>
                      <th>
                        <span className="visually-hidden">Actions</span>
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {body.data.map((m) => {
                      const self = m.accountId === s?.account.id;
                      // Only an owner touches the owner role; nobody grants above their own (your own
                      // role too: the last owner stepping down gets the API's plain refusal).
                      const editable = mayChange && atMost(m.role, own) && (m.role !== 'owner' || own === 'owner');
                      return (
                        <tr key={m.id} data-member={m.email}>
                          <td className="wrap">
                            {m.email}
                            {self && <span className="muted small"> (you)</span>}
                          </td>
                          <td className="wrap">{m.name || '—'}</td>
                          <td>
                            {editable ? (
                              <select
                                aria-label={`Role of ${m.email}`}
                                value={m.role}
                                disabled={changeRole.isPending}
                                onChange={(e) => changeRole.mutate({ member: m, role: e.target.value as Role })}
                              >
                                {rolesUpTo(own).map((r) => (
                                  <option key={r} value={r}>
                                    {r}
                                  </option>
                                ))}
                              </select>
                            ) : (
                              <span className="badge">{m.role}</span>
                            )}
                          </td>
                          <td>{when(m.createdAt)}</td>
                          <td>
                            {self ? (
                              <ConfirmButton
                                label="Leave workspace"
                                confirmLabel="Yes, leave"
                                question={`Leave ${workspace?.name ?? 'this workspace'}? You lose access until invited again.`}
                                busy={remove.isPending}
                                onConfirm={() => remove.mutate(m)}
                              />
                            ) : (
                              mayRemove &&
                              atMost(m.role, own) && (
                                <ConfirmButton
                                  label={`Remove ${m.email}`}
                                  confirmLabel="Yes, remove"
                                  question={`Remove ${m.email} from the workspace?`}
                                  busy={remove.isPending}
                                  onConfirm={() => remove.mutate(m)}
                                />
                              )
                            )}
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

function InviteForm() {
  const { workspace } = useSession();
  const queries = useQueryClient();
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('viewer');
  const [hours, setHours] = useState('72');
  const [created, setCreated] = useState<NewInvitation | null>(null);
  const invite = useMutation({
    mutationFn: () => data(api.POST('/v1/invitations', { body: { email, role, expiresInHours: Number(hours) } })),
    onSuccess: (inv) => {
      setCreated(inv);
      setEmail('');
      void queries.invalidateQueries({ queryKey: ['invitations'] });
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    invite.mutate();
  };
  const hoursValid = /^\d+$/.test(hours) && Number(hours) >= 1 && Number(hours) <= 720;

  return (
    <section aria-labelledby="invite-h">
      <h2 id="invite-h">Invite someone</h2>
      {created && (
        <ShownOnce title={`Invitation link for ${created.email}`} value={new URL(created.acceptUrl, window.location.origin).toString()} onDismiss={() => setCreated(null)}>
          <p className="muted small">
            Send it to {created.email}. Signed in with that email, they accept it (a POST to this address with their session), or they sign up with the
            token it carries (the part after /v1/invitations/). It is valid until {when(created.expiresAt)} and works once.
          </p>
        </ShownOnce>
      )}
      <form className="card toolbar" onSubmit={submit} aria-labelledby="invite-h">
        <label>
          Email
          <input type="email" required value={email} onChange={(e) => setEmail(e.target.value)} autoComplete="off" />
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
          Valid for (hours)
          <input inputMode="numeric" value={hours} onChange={(e) => setHours(e.target.value)} size={5} aria-invalid={!hoursValid} />
        </label>
        <button type="submit" disabled={invite.isPending || !email || !hoursValid}>
          {invite.isPending ? 'Inviting…' : 'Invite'}
        </button>
        {!hoursValid && <span className="error-text small">From 1 to 720 hours.</span>}
      </form>
      {invite.error && <ErrorBox error={invite.error} title="Could not invite" />}
    </section>
  );
}

function PendingInvitations() {
  const can = useCan();
  const queries = useQueryClient();
  const [page, setPage] = useState(1);
  const list = useQuery({
    queryKey: ['invitations', page],
    queryFn: () => unwrap(api.GET('/v1/invitations', { params: { query: { status: 'pending', page, limit: 20 } } })),
    placeholderData: keepPreviousData,
  });
  const revoke = useMutation({
    mutationFn: (inv: Invitation) => data(api.DELETE('/v1/invitations/{id}', { params: { path: { id: inv.id } } })),
    onSettled: () => queries.invalidateQueries({ queryKey: ['invitations'] }),
  });
  return (
    <section aria-labelledby="pending-h">
      <h2 id="pending-h">Pending invitations</h2>
      {revoke.error && <ErrorBox error={revoke.error} title="Could not revoke the invitation" />}
      <QueryState query={list} what="Invitations">
        {(body) =>
          body.data.length === 0 ? (
            <Empty title="No pending invitations" />
          ) : (
            <>
              <div className="table-wrap">
                <table>
                  <thead>
                    <tr>
                      <th>Email</th>
                      <th>Role</th>
                      <th>Invited by</th>
                      <th>Expires</th>
                      <th>
                        <span className="visually-hidden">Actions</span>
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {body.data.map((inv) => (
                      <tr key={inv.id} data-invitation={inv.email}>
                        <td className="wrap">{inv.email}</td>
                        <td>
                          <span className="badge">{inv.role}</span>
                        </td>
                        <td className="wrap">{inv.invitedBy ?? '—'}</td>
                        <td>{when(inv.expiresAt)}</td>
                        <td>
                          {can('DELETE /v1/invitations/{id}') && (
                            <ConfirmButton
                              label={`Revoke invitation of ${inv.email}`}
                              confirmLabel="Yes, revoke"
                              question={`The link sent to ${inv.email} stops working.`}
                              busy={revoke.isPending}
                              onConfirm={() => revoke.mutate(inv)}
                            />
                          )}
                        </td>
                      </tr>
                    ))}
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
