import { randomUUID } from 'node:crypto';
import type { Role } from '@weft/domain';
import type { AccessTokens } from '../../apps/api/src/auth/access-tokens';
import { newId } from '../../apps/api/src/auth/api-keys';
import { hashPassword } from '../../apps/api/src/auth/passwords';
import { acceptInvitation, type InvitationDeps } from '../../apps/api/src/members/invitations';
import { helloGraph } from '../fixtures/graphs';
import { TEST_PASSWORD_PARAMS, memberWithToken } from '../support/accounts';
import { httpClient, resetDatabase, startHarness, type ApiClient, type Harness } from '../support/harness';

// Issue 12, item 2: a workspace's members, roles and invitations, over HTTP against the real stack.
let h: Harness;

beforeAll(async () => {
  h = await startHarness('members');
  await resetDatabase(h.prisma);
});
afterAll(async () => {
  await h.close();
});

/** A new workspace, and an API key of the role in it. */
async function workspace(role: Role = 'owner'): Promise<{ tenantId: string; key: string }> {
  const name = `ws-${randomUUID()}`;
  const key = await h.key(name, role);
  const tenant = await h.prisma.tenant.findUniqueOrThrow({ where: { name } });
  return { tenantId: tenant.id, key };
}

/** A person in the workspace: their client (the token names the workspace), account and membership ids. */
async function person(tenantId: string, role: Role) {
  const m = await memberWithToken(h.prisma, h.app, tenantId, role);
  const membership = await h.prisma.membership.findFirstOrThrow({ where: { tenantId, accountId: m.accountId } });
  return { ...m, memberId: membership.id, api: httpClient(h.url, m.token) };
}

/** An account of no workspace yet, with the email given (kept lower-cased, as accounts are), and an access token naming no workspace. */
async function outsider(email = `${newId('who')}@example.test`) {
  const id = newId('acct');
  await h.prisma.account.create({ data: { id, email: email.toLowerCase(), passwordHash: await hashPassword(randomUUID(), TEST_PASSWORD_PARAMS) } });
  const token = await (h.app.locals.accessTokens as AccessTokens).sign({ sub: id, sid: newId('ses') });
  return { accountId: id, email: email.toLowerCase(), api: httpClient(h.url, token) };
}

const inWs = (tenantId: string) => ({ 'X-Workspace-Id': tenantId });
const refusal = (r: { status: number; body: any }) => ({ status: r.status, code: r.body?.code });

async function invite(api: ApiClient, email: string, role: Role, path = '/v1/invitations') {
  const res = await api('POST', path, { email, role });
  if (res.status !== 201) throw new Error(`invite: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.data as { id: string; token: string; acceptUrl: string; email: string; role: Role; status: string };
}

describe('invitations', () => {
  it('invite → accept: the person is a member with the role, and can do what the role allows and no more', async () => {
    const { tenantId } = await workspace();
    const owner = await person(tenantId, 'owner');
    const bob = await outsider('Bob.Builder@Example.test');

    const created = await owner.api('POST', '/v1/invitations', { email: '  BOB.builder@example.TEST ', role: 'developer', expiresInHours: 24 });
    expect(created.status).toBe(201);
    const inv = created.body.data;
    expect(inv).toMatchObject({ email: 'bob.builder@example.test', role: 'developer', status: 'pending', invitedBy: owner.accountId, acceptedAt: null });
    expect(inv.acceptUrl).toBe(`/v1/invitations/${inv.token}/accept`);
    const hours = (Date.parse(inv.expiresAt) - Date.parse(inv.createdAt)) / 3_600_000;
    expect(Math.round(hours)).toBe(24);

    // Listed without its token.
    const listed = await owner.api('GET', '/v1/invitations?status=pending');
    expect(listed.body.data.map((i: any) => i.id)).toEqual([inv.id]);
    expect(listed.body.data[0].token).toBeUndefined();
    expect(JSON.stringify(listed.body)).not.toContain(inv.token);
    expect(listed.body.pagination).toMatchObject({ page: 1, total: 1 });

    // Before accepting, the workspace does not know bob.
    expect(refusal(await bob.api('GET', '/v1/members', undefined, inWs(tenantId)))).toEqual({ status: 404, code: 'workspace_not_found' });

    const accepted = await bob.api('POST', inv.acceptUrl);
    expect(accepted.status).toBe(201);
    expect(accepted.body.data).toMatchObject({ accountId: bob.accountId, email: 'bob.builder@example.test', role: 'developer', workspaceId: tenantId });

    const members = await bob.api('GET', '/v1/members?sort=created_at', undefined, inWs(tenantId));
    expect(members.status).toBe(200);
    expect(members.body.data.map((m: any) => [m.accountId, m.role])).toEqual([
      [owner.accountId, 'owner'],
      [bob.accountId, 'developer'],
    ]);
    expect(Object.keys(members.body.data[1]).sort()).toEqual(['accountId', 'createdAt', 'email', 'id', 'name', 'role']);
    // A developer builds workflows, and does not manage members.
    expect((await bob.api('POST', '/v1/workflows', { name: 'by-bob', graph: helloGraph() }, inWs(tenantId))).status).toBe(201);
    expect(refusal(await bob.api('POST', '/v1/invitations', { email: 'x@example.test', role: 'viewer' }, inWs(tenantId)))).toEqual({ status: 403, code: 'forbidden' });

    // Single use.
    expect(refusal(await bob.api('POST', inv.acceptUrl))).toEqual({ status: 410, code: 'invitation_used' });
    const after = (await owner.api('GET', '/v1/invitations')).body.data[0];
    expect(after).toMatchObject({ status: 'accepted', acceptedBy: bob.accountId });

    // Audited, in the workspace, without the token.
    const audit = await h.prisma.auditEntry.findMany({ where: { tenantId }, orderBy: { id: 'asc' } });
    expect(audit.map((a) => [a.action, a.actorType, a.actorId])).toEqual([
      ['invitation.create', 'account', owner.accountId],
      ['invitation.accept', 'account', bob.accountId],
      ['member.add', 'account', bob.accountId],
      ['workflow.create', 'account', bob.accountId],
    ]);
    expect(audit.every((a) => a.requestId)).toBe(true);
    const [, , signature] = inv.token.split('.').slice(1);
    for (const a of audit) {
      expect(JSON.stringify(a.before) + JSON.stringify(a.after)).not.toContain(inv.token);
      expect(JSON.stringify(a.before) + JSON.stringify(a.after)).not.toContain(signature);
    }
  });

  it('POST /v1/members invites too: the same invitation, for an email with an account or without one', async () => {
    const { tenantId, key } = await workspace('admin');
    const admin = httpClient(h.url, key);
    const known = await outsider();
    const a = await invite(admin, known.email, 'viewer', '/v1/members');
    const b = await invite(admin, `nobody-${randomUUID()}@example.test`, 'viewer', '/v1/members');
    for (const inv of [a, b]) expect(inv).toMatchObject({ status: 'pending', role: 'viewer' });
    expect(await h.prisma.membership.count({ where: { tenantId } })).toBe(0);
    expect((await known.api('POST', a.acceptUrl)).status).toBe(201);
    // Already a member: a second invitation is refused.
    expect(refusal(await admin('POST', '/v1/members', { email: known.email.toUpperCase(), role: 'admin' }))).toEqual({ status: 409, code: 'already_member' });
  });

  it('refuses an expired invitation with 410 invitation_expired, and lists it as expired', async () => {
    const { tenantId } = await workspace();
    const owner = await person(tenantId, 'owner');
    const eve = await outsider();
    const inv = await invite(owner.api, eve.email, 'viewer');
    // The row is the truth: moved into the past, the (still unexpired) token is refused.
    await h.prisma.invitation.update({ where: { id: inv.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect(refusal(await eve.api('POST', inv.acceptUrl))).toEqual({ status: 410, code: 'invitation_expired' });
    expect((await owner.api('GET', '/v1/invitations?status=expired')).body.data.map((i: any) => i.id)).toEqual([inv.id]);
    expect((await owner.api('GET', '/v1/invitations?status=pending')).body.data).toEqual([]);
    expect(await h.prisma.membership.count({ where: { tenantId, accountId: eve.accountId } })).toBe(0);
  });

  it('refuses another email (403), a forged or unknown token (404), a revoked invitation (410) and an API key (403)', async () => {
    const { tenantId, key } = await workspace();
    const owner = await person(tenantId, 'owner');
    const invited = await outsider();
    const other = await outsider();
    const inv = await invite(owner.api, invited.email, 'operator');

    expect(refusal(await other.api('POST', inv.acceptUrl))).toEqual({ status: 403, code: 'invitation_email_mismatch' });
    const [v, id, exp, mac] = inv.token.split('.') as [string, string, string, string];
    const forged = `${v}.${id}.${exp}.${mac.startsWith('A') ? 'B' : 'A'}${mac.slice(1)}`;
    expect(refusal(await invited.api('POST', `/v1/invitations/${forged}/accept`))).toEqual({ status: 404, code: 'invitation_not_found' });
    expect(refusal(await invited.api('POST', '/v1/invitations/not-a-token/accept'))).toEqual({ status: 404, code: 'invitation_not_found' });
    // An approval form link's token is not an invitation's.
    expect(refusal(await invited.api('POST', `/v1/invitations/f1.${id}.${exp}.${mac}/accept`))).toEqual({ status: 404, code: 'invitation_not_found' });
    expect(refusal(await httpClient(h.url, key)('POST', inv.acceptUrl))).toEqual({ status: 403, code: 'account_required' });
    expect(refusal(await httpClient(h.url)('POST', inv.acceptUrl))).toEqual({ status: 401, code: 'unauthorized' });

    const revoked = await owner.api('DELETE', `/v1/invitations/${inv.id}`);
    expect(revoked.status).toBe(200);
    expect(refusal(await invited.api('POST', inv.acceptUrl))).toEqual({ status: 410, code: 'invitation_revoked' });
    expect((await owner.api('GET', '/v1/invitations?status=revoked')).body.data.map((i: any) => i.id)).toEqual([inv.id]);
    expect((await h.prisma.auditEntry.findMany({ where: { tenantId, objectId: inv.id } })).map((a) => a.action)).toEqual(['invitation.create', 'invitation.revoke']);
    // Revoking an accepted invitation is refused: the member is removed instead.
    const second = await invite(owner.api, other.email, 'viewer');
    expect((await other.api('POST', second.acceptUrl)).status).toBe(201);
    expect(refusal(await owner.api('DELETE', `/v1/invitations/${second.id}`))).toEqual({ status: 410, code: 'invitation_used' });
  });

  it('accepts one token once when two accepts race', async () => {
    const { tenantId } = await workspace();
    const owner = await person(tenantId, 'owner');
    const carol = await outsider();
    const inv = await invite(owner.api, carol.email, 'viewer');
    const results = await Promise.all([carol.api('POST', inv.acceptUrl), carol.api('POST', inv.acceptUrl)]);
    expect(results.map((r) => r.status).sort()).toEqual([201, 410]);
    expect(await h.prisma.membership.count({ where: { tenantId, accountId: carol.accountId } })).toBe(1);
  });

  it('acceptInvitation joins an account made in the same transaction (the sign-up seam)', async () => {
    const { tenantId } = await workspace();
    const owner = await person(tenantId, 'owner');
    const email = `new-${randomUUID()}@example.test`;
    const inv = await invite(owner.api, email, 'operator');
    const deps = h.app.locals.invitations as InvitationDeps;
    const accountId = newId('acct');
    const accepted = await h.prisma.$transaction(async (tx) => {
      await tx.account.create({ data: { id: accountId, email, passwordHash: 'x' } });
      return acceptInvitation(deps, inv.token, accountId, email.toUpperCase(), tx);
    });
    expect(accepted.membership).toMatchObject({ tenantId, accountId, role: 'operator' });
    // A refusal inside the transaction leaves nothing behind.
    const second = await invite(owner.api, `other-${email}`, 'viewer');
    const lost = newId('acct');
    await expect(
      h.prisma.$transaction(async (tx) => {
        await tx.account.create({ data: { id: lost, email: `wrong-${email}`, passwordHash: 'x' } });
        return acceptInvitation(deps, second.token, lost, `wrong-${email}`, tx);
      }),
    ).rejects.toMatchObject({ code: 'invitation_email_mismatch' });
    expect(await h.prisma.account.count({ where: { id: lost } })).toBe(0);
  });

  it('refuses invalid input with 400 and the fields named', async () => {
    const { key } = await workspace();
    const api = httpClient(h.url, key);
    for (const body of [
      { email: 'not-an-email', role: 'viewer' },
      { email: 'a@example.test', role: 'god' },
      { email: 'a@example.test', role: 'viewer', expiresInHours: 721 },
      { email: 'a@example.test', role: 'viewer', expiresInHours: 0 },
      { email: 'a@example.test', role: 'viewer', extra: 1 },
      { role: 'viewer' },
    ]) {
      const res = await api('POST', '/v1/invitations', body);
      expect([body, refusal(res)]).toEqual([body, { status: 400, code: 'malformed_request' }]);
      expect(res.body.details.issues.length).toBeGreaterThan(0);
    }
    expect(refusal(await api('PATCH', '/v1/members/mem_x', {}))).toEqual({ status: 400, code: 'malformed_request' });
    expect(refusal(await api('GET', '/v1/members?limit=1000'))).toEqual({ status: 400, code: 'malformed_request' });
    expect(refusal(await api('GET', '/v1/invitations?status=lost'))).toEqual({ status: 400, code: 'malformed_request' });
  });
});

describe('members: roles and removal', () => {
  it('a role change holds from the member’s next request', async () => {
    const { tenantId } = await workspace();
    const owner = await person(tenantId, 'owner');
    const dev = await person(tenantId, 'developer');
    expect((await dev.api('POST', '/v1/workflows', { name: 'before', graph: helloGraph() })).status).toBe(201);

    const changed = await owner.api('PATCH', `/v1/members/${dev.memberId}`, { role: 'viewer' });
    expect(changed.status).toBe(200);
    expect(changed.body.data).toMatchObject({ id: dev.memberId, role: 'viewer', email: dev.email });
    expect(refusal(await dev.api('POST', '/v1/workflows', { name: 'after', graph: helloGraph() }))).toEqual({ status: 403, code: 'forbidden' });
    expect((await dev.api('GET', '/v1/workflows')).status).toBe(200);

    const [entry] = await h.prisma.auditEntry.findMany({ where: { tenantId, action: 'member.update' } });
    expect(entry).toMatchObject({ actorId: owner.accountId, objectId: dev.memberId, before: { role: 'developer' }, after: { role: 'viewer' } });
  });

  it('a removed member is out from the next request (404 workspace_not_found); anyone may leave; others need an admin', async () => {
    const { tenantId } = await workspace();
    const admin = await person(tenantId, 'admin');
    const op = await person(tenantId, 'operator');
    const viewer = await person(tenantId, 'viewer');
    const leaver = await person(tenantId, 'viewer');
    expect((await op.api('GET', '/v1/members')).status).toBe(200);

    // A viewer removes nobody else.
    expect(refusal(await viewer.api('DELETE', `/v1/members/${op.memberId}`))).toEqual({ status: 403, code: 'member_removal_forbidden' });

    expect((await admin.api('DELETE', `/v1/members/${op.memberId}`)).status).toBe(200);
    expect(refusal(await op.api('GET', '/v1/members'))).toEqual({ status: 404, code: 'workspace_not_found' });
    expect(refusal(await op.api('GET', '/v1/workflows'))).toEqual({ status: 404, code: 'workspace_not_found' });
    // The account's own routes still answer with the old workspace named: it can find where else it belongs.
    const mine = await op.api('GET', '/v1/workspaces');
    expect(mine.status).toBe(200);
    expect(mine.body.data.map((w: { id: string }) => w.id)).not.toContain(tenantId);

    // Leaving.
    expect((await leaver.api('DELETE', `/v1/members/${leaver.memberId}`)).status).toBe(200);
    expect(refusal(await leaver.api('GET', '/v1/members'))).toEqual({ status: 404, code: 'workspace_not_found' });
    expect(refusal(await admin.api('DELETE', `/v1/members/${op.memberId}`))).toEqual({ status: 404, code: 'member_not_found' });

    const removals = await h.prisma.auditEntry.findMany({ where: { tenantId, action: 'member.remove' }, orderBy: { id: 'asc' } });
    expect(removals.map((a) => [a.objectId, a.actorId])).toEqual([
      [op.memberId, admin.accountId],
      [leaver.memberId, leaver.accountId],
    ]);
  });

  it('the last owner can neither leave, be removed nor be demoted; with a second owner, they can', async () => {
    const { tenantId, key } = await workspace('owner');
    const owner = await person(tenantId, 'owner');
    const ownerKey = httpClient(h.url, key);
    expect(refusal(await owner.api('DELETE', `/v1/members/${owner.memberId}`))).toEqual({ status: 409, code: 'last_owner' });
    expect(refusal(await owner.api('PATCH', `/v1/members/${owner.memberId}`, { role: 'admin' }))).toEqual({ status: 409, code: 'last_owner' });
    expect(refusal(await ownerKey('DELETE', `/v1/members/${owner.memberId}`))).toEqual({ status: 409, code: 'last_owner' });
    // Promoting an owner in place is no change.
    expect((await owner.api('PATCH', `/v1/members/${owner.memberId}`, { role: 'owner' })).body.data.role).toBe('owner');

    const second = await person(tenantId, 'admin');
    expect((await owner.api('PATCH', `/v1/members/${second.memberId}`, { role: 'owner' })).status).toBe(200);
    expect((await owner.api('PATCH', `/v1/members/${owner.memberId}`, { role: 'admin' })).status).toBe(200);
    // Now `second` is the last owner.
    expect(refusal(await second.api('DELETE', `/v1/members/${second.memberId}`))).toEqual({ status: 409, code: 'last_owner' });
    expect((await h.prisma.membership.findMany({ where: { tenantId, role: 'owner' } })).map((m) => m.id)).toEqual([second.memberId]);
  });

  it('two owners demoting each other at once leave one owner', async () => {
    const { tenantId } = await workspace();
    const a = await person(tenantId, 'owner');
    const b = await person(tenantId, 'owner');
    const results = await Promise.all([a.api('PATCH', `/v1/members/${b.memberId}`, { role: 'admin' }), b.api('PATCH', `/v1/members/${a.memberId}`, { role: 'admin' })]);
    expect(results.map(refusal).map((r) => r.status).sort()).toEqual([200, 409]);
    expect(await h.prisma.membership.count({ where: { tenantId, role: 'owner' } })).toBe(1);
  });

  it('an admin cannot touch an owner nor grant or invite the owner role; an owner can', async () => {
    const { tenantId, key } = await workspace('admin');
    const adminKey = httpClient(h.url, key);
    const owner = await person(tenantId, 'owner');
    const admin = await person(tenantId, 'admin');
    const dev = await person(tenantId, 'developer');
    for (const api of [admin.api, adminKey]) {
      expect(refusal(await api('PATCH', `/v1/members/${owner.memberId}`, { role: 'viewer' }))).toEqual({ status: 403, code: 'owner_role_required' });
      expect(refusal(await api('DELETE', `/v1/members/${owner.memberId}`))).toEqual({ status: 403, code: 'owner_role_required' });
      expect(refusal(await api('PATCH', `/v1/members/${dev.memberId}`, { role: 'owner' }))).toEqual({ status: 403, code: 'owner_role_required' });
      expect(refusal(await api('POST', '/v1/invitations', { email: `o-${randomUUID()}@example.test`, role: 'owner' }))).toEqual({ status: 403, code: 'owner_role_required' });
      expect(refusal(await api('POST', '/v1/members', { email: `o-${randomUUID()}@example.test`, role: 'owner' }))).toEqual({ status: 403, code: 'owner_role_required' });
    }
    // Admins manage the roles up to their own.
    expect((await admin.api('PATCH', `/v1/members/${dev.memberId}`, { role: 'admin' })).body.data.role).toBe('admin');
    expect((await owner.api('PATCH', `/v1/members/${dev.memberId}`, { role: 'owner' })).body.data.role).toBe('owner');
    const ownerInvite = await owner.api('POST', '/v1/invitations', { email: `o-${randomUUID()}@example.test`, role: 'owner' });
    expect(ownerInvite.status).toBe(201);
    // An admin does not revoke an owner's invitation either.
    expect(refusal(await admin.api('DELETE', `/v1/invitations/${ownerInvite.body.data.id}`))).toEqual({ status: 403, code: 'owner_role_required' });
    expect((await owner.api('GET', '/v1/members')).body.data.find((m: any) => m.id === owner.memberId).role).toBe('owner');
  });

  it("another workspace's members and invitations answer 404", async () => {
    const a = await workspace();
    const b = await workspace();
    const aOwner = await person(a.tenantId, 'owner');
    const aDev = await person(a.tenantId, 'developer');
    const inv = await invite(aOwner.api, `x-${randomUUID()}@example.test`, 'viewer');
    const bKey = httpClient(h.url, b.key);
    const bOwner = await person(b.tenantId, 'owner');
    for (const api of [bKey, bOwner.api]) {
      expect(refusal(await api('PATCH', `/v1/members/${aDev.memberId}`, { role: 'viewer' }))).toEqual({ status: 404, code: 'member_not_found' });
      expect(refusal(await api('DELETE', `/v1/members/${aDev.memberId}`))).toEqual({ status: 404, code: 'member_not_found' });
      expect(refusal(await api('DELETE', `/v1/invitations/${inv.id}`))).toEqual({ status: 404, code: 'invitation_not_found' });
      expect((await api('GET', '/v1/members')).body.data.map((m: any) => m.id)).toEqual([bOwner.memberId]);
      expect((await api('GET', '/v1/invitations')).body.data).toEqual([]);
    }
    // A's owner naming B's workspace is not a member there.
    expect(refusal(await aOwner.api('GET', '/v1/members', undefined, inWs(b.tenantId)))).toEqual({ status: 404, code: 'workspace_not_found' });
    expect((await h.prisma.membership.findUniqueOrThrow({ where: { id: aDev.memberId } })).role).toBe('developer');
  });

  it('lists members a page at a time, filtered by role', async () => {
    const { tenantId, key } = await workspace();
    const api = httpClient(h.url, key);
    const made = [];
    for (const role of ['owner', 'viewer', 'viewer', 'developer'] as const) made.push(await person(tenantId, role));
    const page = await api('GET', '/v1/members?limit=2&page=2&sort=created_at');
    expect(page.body.data.map((m: any) => m.id)).toEqual(made.slice(2).map((m) => m.memberId));
    expect(page.body.pagination).toMatchObject({ page: 2, limit: 2, total: 4, total_pages: 2, has_next: false, has_prev: true });
    expect((await api('GET', '/v1/members?role=viewer')).body.data.map((m: any) => m.role)).toEqual(['viewer', 'viewer']);
  });
});

describe('what a member handed out', () => {
  async function keyOf(api: ApiClient, role: Role): Promise<{ id: string; key: string }> {
    const res = await api('POST', '/v1/api-keys', { name: `by-${role}`, role });
    if (res.status !== 201) throw new Error(`key: ${res.status} ${JSON.stringify(res.body)}`);
    return { id: res.body.data.id, key: res.body.data.key };
  }
  const works = async (key: string) => (await httpClient(h.url, key)('GET', '/v1/workflows')).status;

  it('stops with their membership: a removed admin’s keys (and the keys those made, and their rotations) and open invitations are revoked at once', async () => {
    const { tenantId } = await workspace();
    const owner = await person(tenantId, 'owner');
    const admin = await person(tenantId, 'admin');
    const made = await keyOf(admin.api, 'admin');
    // A key the admin's key made, and that key rotated by the owner: both descend from the admin.
    const child = await keyOf(httpClient(h.url, made.key), 'developer');
    const rotated = (await owner.api('POST', `/v1/api-keys/${child.id}/rotate`)).body.data as { id: string; key: string };
    const ownersKey = await keyOf(owner.api, 'viewer');
    const sent = await invite(admin.api, 'second.address@example.test', 'admin');
    for (const k of [made.key, rotated.key, ownersKey.key]) expect(await works(k)).toBe(200);

    expect((await owner.api('DELETE', `/v1/members/${admin.memberId}`)).status).toBe(200);
    for (const k of [made.key, rotated.key]) expect(await works(k)).toBe(401);
    expect(await works(ownersKey.key)).toBe(200);
    const later = await outsider('second.address@example.test');
    expect(refusal(await later.api('POST', sent.acceptUrl))).toEqual({ status: 410, code: 'invitation_revoked' });
    const actions = (await h.prisma.auditEntry.findMany({ where: { tenantId, action: { in: ['api_key.revoke', 'invitation.revoke'] } } })).map((a) => [a.action, a.objectId]);
    expect(actions.sort()).toEqual(
      [
        ['api_key.revoke', made.id],
        ['api_key.revoke', rotated.id],
        ['invitation.revoke', sent.id],
      ].sort(),
    );
  });

  it('is cut down to the new role when a member is demoted: keys and invitations above it are revoked, the rest stay', async () => {
    const { tenantId } = await workspace();
    const owner = await person(tenantId, 'owner');
    const admin = await person(tenantId, 'admin');
    const high = await keyOf(admin.api, 'admin');
    const low = await keyOf(admin.api, 'developer');
    const highInvite = await invite(admin.api, 'high@example.test', 'admin');
    const lowInvite = await invite(admin.api, 'low@example.test', 'operator');

    expect((await owner.api('PATCH', `/v1/members/${admin.memberId}`, { role: 'developer' })).status).toBe(200);
    expect(await works(high.key)).toBe(401);
    expect(await works(low.key)).toBe(200);
    expect(refusal(await (await outsider('high@example.test')).api('POST', highInvite.acceptUrl))).toEqual({ status: 410, code: 'invitation_revoked' });
    expect((await (await outsider('low@example.test')).api('POST', lowInvite.acceptUrl)).status).toBe(201);
  });
});
