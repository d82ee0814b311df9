import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createOwner } from '../../apps/api/src/cli/create-owner';
import { httpClient, resetDatabase, startHarness, type Harness } from '../support/harness';
import { testEnv } from '../support/test-env';

// Issue 12, item 1 (accounts and sessions), the workspace routes and item 7 (the CLI's create-owner).
// Cheap scrypt (WEFT_PASSWORD_HASH_LOG_N=10) and a lockout after 3 failures; the lock's period is
// made to pass by moving lockedUntil back, not by waiting.
const SETTINGS = { WEFT_PASSWORD_HASH_LOG_N: '10', WEFT_SIGNIN_MAX_FAILURES: '3', WEFT_SIGNIN_LOCK_SECONDS: '900' };
const PASSWORD = 'correct horse battery';
const NEW_PASSWORD = 'staple of a new password';

let h: Harness;
const anon = () => httpClient(h.url);
const as = (token: string) => httpClient(h.url, token);

async function emptyDeployment(): Promise<void> {
  await resetDatabase(h.prisma);
  await h.prisma.$executeRawUnsafe('TRUNCATE accounts CASCADE');
}

async function signUp(email: string, extra: Record<string, unknown> = {}) {
  return anon()('POST', '/v1/auth/sign-up', { email, password: PASSWORD, ...extra });
}

async function signIn(email: string, password = PASSWORD, extra: Record<string, unknown> = {}) {
  return anon()('POST', '/v1/auth/sign-in', { email, password, ...extra });
}

const failure = (r: { status: number; body: any }) => ({ status: r.status, code: r.body?.code });

beforeAll(async () => {
  h = await startHarness('accounts', SETTINGS);
});
afterAll(async () => {
  await h.close();
});

describe('sign-up', () => {
  beforeEach(emptyDeployment);

  it('makes the first account the owner of a new workspace and refuses later ones without an invitation', async () => {
    const first = await signUp('Owner@Example.COM', { name: 'Olive', workspace: 'Acme' });
    expect(first.status).toBe(201);
    const session = first.body.data;
    expect(session.account).toEqual({ id: expect.any(String), email: 'owner@example.com', name: 'Olive', createdAt: expect.any(String) });
    expect(session.workspaces).toEqual([{ id: expect.any(String), name: 'Acme', role: 'owner', createdAt: expect.any(String) }]);
    expect(session.workspaceId).toBe(session.workspaces[0].id);
    expect(session).toMatchObject({ tokenType: 'Bearer', expiresIn: 900, refreshToken: expect.stringMatching(/^rt_/) });

    // Only hashes are kept: the password as scrypt with the configured cost, the refresh token as sha256.
    const account = await h.prisma.account.findUniqueOrThrow({ where: { email: 'owner@example.com' } });
    expect(account.passwordHash).toMatch(/^scrypt\$10\$8\$1\$/);
    expect(account.passwordHash).not.toContain(PASSWORD);
    const stored = await h.prisma.refreshToken.findMany({ where: { accountId: account.id } });
    expect(stored).toHaveLength(1);
    expect(stored[0]!.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(stored[0]!.familyId).not.toBe(session.refreshToken);

    // The new workspace is in the audit log, without a secret value.
    const audit = await h.prisma.auditEntry.findMany({ where: { tenantId: session.workspaceId } });
    expect(audit).toEqual([expect.objectContaining({ action: 'workspace.create', actorType: 'account', actorId: account.id, objectId: session.workspaceId })]);
    const written = JSON.stringify(audit.map((a) => ({ ...a, id: String(a.id) })));
    for (const secret of [PASSWORD, session.refreshToken, session.accessToken, 'scrypt$']) expect(written).not.toContain(secret);

    expect(failure(await signUp('second@example.com'))).toEqual({ status: 403, code: 'signup_closed' });
    // A made-up invitation does not open the door either, and leaves no account behind.
    expect(failure(await signUp('third@example.com', { invitation: 'inv-token' }))).toEqual({ status: 404, code: 'invitation_not_found' });
    expect(await h.prisma.account.count()).toBe(1);
  });

  it('signs a person up with an invitation: the new account joins the workspace with the invited role, once', async () => {
    const owner = (await signUp('owner@example.com', { workspace: 'Acme' })).body.data;
    const invited = await as(owner.accessToken)('POST', '/v1/invitations', { email: 'Dev@Example.com', role: 'developer' });
    expect(invited.status).toBe(201);
    const { token } = invited.body.data;

    // Another email cannot use it, and the refusal keeps no account.
    expect(failure(await signUp('someone.else@example.com', { invitation: token }))).toEqual({ status: 403, code: 'invitation_email_mismatch' });
    const joined = await signUp('dev@example.com', { invitation: token });
    expect(joined.status).toBe(201);
    expect(joined.body.data.workspaces).toEqual([expect.objectContaining({ id: owner.workspaceId, role: 'developer' })]);
    expect((await as(joined.body.data.accessToken)('GET', '/v1/workflows')).status).toBe(200);
    expect(await h.prisma.account.count()).toBe(2);
    // Used once.
    expect(failure(await signUp('dev2@example.com', { invitation: token }))).toEqual({ status: 410, code: 'invitation_used' });
  });

  it('lets only one of two concurrent first sign-ups become the owner', async () => {
    const [a, b] = await Promise.all([signUp('a@example.com', { workspace: 'A' }), signUp('b@example.com', { workspace: 'B' })]);
    expect([a.status, b.status].sort()).toEqual([201, 403]);
    expect(await h.prisma.account.count()).toBe(1);
    expect(await h.prisma.membership.count({ where: { role: 'owner' } })).toBe(1);
  });

  it('gives the first workspace a default name', async () => {
    const r = await signUp('solo@example.com');
    expect(r.body.data.workspaces[0].name).toBe("solo@example.com's workspace");
  });

  it('refuses malformed input with 400 and a code, never 500', async () => {
    const cases: [unknown, RegExp?][] = [
      [{ email: 'not-an-email', password: PASSWORD }, /email/i],
      [{ email: 'a@example.com', password: 'short' }, /at least 12 characters/],
      [{ email: 'a@example.com', password: 'x'.repeat(257) }, /at most 256/],
      [{ email: 'a@example.com', password: PASSWORD, role: 'owner' }],
      [{ email: 'a@example.com' }],
      [{ email: 'a@example.com', password: PASSWORD, workspace: '   ' }, /cannot be empty/],
      [{ email: 42, password: PASSWORD }],
      [[], undefined],
    ];
    for (const [body, message] of cases) {
      const r = await anon()('POST', '/v1/auth/sign-up', body);
      expect(failure(r)).toEqual({ status: 400, code: 'malformed_request' });
      if (message) expect(JSON.stringify(r.body.details.issues)).toMatch(message);
    }
    expect(failure(await anon()('POST', '/v1/auth/sign-up', '{"email":'))).toEqual({ status: 400, code: 'malformed_json' });
    expect(await h.prisma.account.count()).toBe(0);
  });
});

describe('sessions', () => {
  let workspaceId: string;
  beforeAll(async () => {
    await emptyDeployment();
    workspaceId = (await signUp('ann@example.com', { workspace: 'Ann' })).body.data.workspaceId;
  });

  it('signs in, and the access token works on /v1 routes with the claim or X-Workspace-Id', async () => {
    const r = await signIn('ANN@example.com');
    expect(r.status).toBe(200);
    const { accessToken, workspaces } = r.body.data;
    expect(workspaces).toEqual([expect.objectContaining({ id: workspaceId, role: 'owner' })]);
    const api = as(accessToken);
    expect((await api('GET', '/v1/workflows')).status).toBe(200);
    expect((await api('GET', '/v1/workflows', undefined, { 'X-Workspace-Id': workspaceId })).status).toBe(200);

    // A second workspace of her own, named by the header; a workspace she is not in answers 404.
    const other = await api('POST', '/v1/workspaces', { name: 'Ann side project' });
    expect(other.status).toBe(201);
    expect(other.body.data).toMatchObject({ name: 'Ann side project', role: 'owner' });
    const key = await h.key('Someone else');
    const theirs = (await h.prisma.tenant.findUniqueOrThrow({ where: { name: 'Someone else' } })).id;
    expect(failure(await api('GET', '/v1/workflows', undefined, { 'X-Workspace-Id': theirs }))).toEqual({ status: 404, code: 'workspace_not_found' });
    expect((await api('GET', '/v1/workflows', undefined, { 'X-Workspace-Id': other.body.data.id })).status).toBe(200);
    expect(failure(await api('POST', '/v1/workspaces', { name: 'Ann side project' }))).toEqual({ status: 409, code: 'workspace_name_taken' });

    const listed = await api('GET', '/v1/workspaces?limit=1&sort=created_at');
    expect(listed.status).toBe(200);
    expect(listed.body.data).toEqual([expect.objectContaining({ id: workspaceId, role: 'owner' })]);
    expect(listed.body.pagination).toMatchObject({ total: 2, has_next: true });
    // Account routes refuse API keys.
    expect(failure(await as(key)('GET', '/v1/workspaces'))).toEqual({ status: 403, code: 'account_required' });
  });

  it('answers the same 401 for an unknown email and a wrong password', async () => {
    expect(failure(await signIn('nobody@example.com'))).toEqual({ status: 401, code: 'invalid_credentials' });
    expect(failure(await signIn('ann@example.com', 'not the password'))).toEqual({ status: 401, code: 'invalid_credentials' });
    await h.prisma.account.update({ where: { email: 'ann@example.com' }, data: { failedSignIns: 0 } });
    expect(failure(await signIn('ann@example.com', PASSWORD, { workspaceId: 'tn_not_hers' }))).toEqual({ status: 404, code: 'workspace_not_found' });
    expect(failure(await anon()('POST', '/v1/auth/sign-in', { email: 'ann@example.com' }))).toEqual({ status: 400, code: 'malformed_request' });
  });

  it('rotates refresh tokens, and a reused one revokes the whole session', async () => {
    const first = (await signIn('ann@example.com')).body.data;
    const second = await anon()('POST', '/v1/auth/refresh', { refreshToken: first.refreshToken });
    expect(second.status).toBe(200);
    expect(second.body.data.refreshToken).not.toBe(first.refreshToken);
    const newest = second.body.data;
    expect((await as(newest.accessToken)('GET', '/v1/workflows')).status).toBe(200);

    // The rotated token again: the session is revoked, the newest refresh token and every access token with it.
    expect(failure(await anon()('POST', '/v1/auth/refresh', { refreshToken: first.refreshToken }))).toEqual({ status: 401, code: 'refresh_token_reused' });
    expect(failure(await anon()('POST', '/v1/auth/refresh', { refreshToken: newest.refreshToken }))).toEqual({ status: 401, code: 'refresh_token_invalid' });
    expect(failure(await as(newest.accessToken)('GET', '/v1/workflows'))).toEqual({ status: 401, code: 'unauthorized' });
    expect(failure(await as(first.accessToken)('GET', '/v1/workspaces'))).toEqual({ status: 401, code: 'unauthorized' });
    // Another session of the same account is untouched.
    const other = (await signIn('ann@example.com')).body.data;
    expect((await as(other.accessToken)('GET', '/v1/workspaces')).status).toBe(200);
  });

  it('switches the workspace claim on refresh, only to a membership', async () => {
    const session = (await signIn('ann@example.com')).body.data;
    const side = (await h.prisma.tenant.findUniqueOrThrow({ where: { name: 'Ann side project' } })).id;
    expect(failure(await anon()('POST', '/v1/auth/refresh', { refreshToken: session.refreshToken, workspaceId: 'tn_elsewhere' }))).toEqual({ status: 404, code: 'workspace_not_found' });
    // The refused switch did not use the token up.
    const switched = await anon()('POST', '/v1/auth/refresh', { refreshToken: session.refreshToken, workspaceId: side });
    expect(switched.status).toBe(200);
    expect(switched.body.data.workspaceId).toBe(side);
    const api = as(switched.body.data.accessToken);
    await h.prisma.workflow.create({ data: { id: 'wf_side_only', tenantId: side, name: 'side only', draft: {} } });
    const listed = await api('GET', '/v1/workflows');
    expect(listed.body.data.map((w: { id: string }) => w.id)).toEqual(['wf_side_only']);
  });

  it('answers 401 for an expired, unknown or malformed refresh token, and 400 for a malformed body', async () => {
    const session = (await signIn('ann@example.com')).body.data;
    await h.prisma.refreshToken.updateMany({ where: { usedAt: null, revokedAt: null, expiresAt: { gt: new Date() } }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect(failure(await anon()('POST', '/v1/auth/refresh', { refreshToken: session.refreshToken }))).toEqual({ status: 401, code: 'refresh_token_expired' });
    expect(failure(await anon()('POST', '/v1/auth/refresh', { refreshToken: `rt_${'A'.repeat(43)}` }))).toEqual({ status: 401, code: 'refresh_token_invalid' });
    expect(failure(await anon()('POST', '/v1/auth/refresh', { refreshToken: 'garbage' }))).toEqual({ status: 401, code: 'refresh_token_invalid' });
    expect(failure(await anon()('POST', '/v1/auth/refresh', { refreshToken: 'x'.repeat(600) }))).toEqual({ status: 400, code: 'malformed_request' });
    expect(failure(await anon()('POST', '/v1/auth/refresh', {}))).toEqual({ status: 400, code: 'malformed_request' });
  });

  it('signs out: the access token and the refresh token stop at once', async () => {
    const session = (await signIn('ann@example.com')).body.data;
    const api = as(session.accessToken);
    expect((await api('GET', '/v1/workflows')).status).toBe(200);
    const out = await api('POST', '/v1/auth/sign-out');
    expect(out.status).toBe(200);
    expect(out.body.data).toEqual({ signedOut: true });
    expect(failure(await api('GET', '/v1/workflows'))).toEqual({ status: 401, code: 'unauthorized' });
    expect(failure(await api('POST', '/v1/auth/sign-out'))).toEqual({ status: 401, code: 'unauthorized' });
    expect(failure(await anon()('POST', '/v1/auth/refresh', { refreshToken: session.refreshToken }))).toEqual({ status: 401, code: 'refresh_token_invalid' });
    expect(failure(await anon()('POST', '/v1/auth/sign-out'))).toEqual({ status: 401, code: 'unauthorized' });
  });

  it('changes the password: the current one is checked, other sessions end, this one goes on', async () => {
    const mine = (await signIn('ann@example.com')).body.data;
    const elsewhere = (await signIn('ann@example.com')).body.data;
    const api = as(mine.accessToken);
    expect(failure(await api('PUT', '/v1/auth/password', { currentPassword: 'wrong password', newPassword: NEW_PASSWORD }))).toEqual({ status: 403, code: 'current_password_invalid' });
    const short = await api('PUT', '/v1/auth/password', { currentPassword: PASSWORD, newPassword: 'too short' });
    expect(failure(short)).toEqual({ status: 400, code: 'malformed_request' });
    expect(JSON.stringify(short.body.details.issues)).toMatch(/at least 12 characters/);

    const changed = await api('PUT', '/v1/auth/password', { currentPassword: PASSWORD, newPassword: NEW_PASSWORD });
    expect(changed.status).toBe(200);
    const renewed = changed.body.data;
    expect(renewed.workspaceId).toBe(mine.workspaceId);
    // This session: the access token still works, its old refresh token is replaced by the new one.
    expect((await api('GET', '/v1/workspaces')).status).toBe(200);
    expect((await as(renewed.accessToken)('GET', '/v1/workspaces')).status).toBe(200);
    expect(failure(await anon()('POST', '/v1/auth/refresh', { refreshToken: mine.refreshToken }))).toEqual({ status: 401, code: 'refresh_token_invalid' });
    expect((await anon()('POST', '/v1/auth/refresh', { refreshToken: renewed.refreshToken })).status).toBe(200);
    // The other session ends at once.
    expect(failure(await as(elsewhere.accessToken)('GET', '/v1/workspaces'))).toEqual({ status: 401, code: 'unauthorized' });
    expect(failure(await anon()('POST', '/v1/auth/refresh', { refreshToken: elsewhere.refreshToken }))).toEqual({ status: 401, code: 'refresh_token_invalid' });

    expect(failure(await signIn('ann@example.com'))).toEqual({ status: 401, code: 'invalid_credentials' });
    expect((await signIn('ann@example.com', NEW_PASSWORD)).status).toBe(200);
    await h.prisma.account.update({ where: { email: 'ann@example.com' }, data: { failedSignIns: 0 } });
  });

  it('locks an account after repeated failures, with Retry-After, and lets it in once the period has passed', async () => {
    await h.prisma.account.update({ where: { email: 'ann@example.com' }, data: { failedSignIns: 0, lockedUntil: null } });
    expect(failure(await signIn('ann@example.com', 'wrong 1'))).toEqual({ status: 401, code: 'invalid_credentials' });
    // A success in between starts the count again.
    expect((await signIn('ann@example.com', NEW_PASSWORD)).status).toBe(200);
    expect(failure(await signIn('ann@example.com', 'wrong 1'))).toEqual({ status: 401, code: 'invalid_credentials' });
    expect(failure(await signIn('ann@example.com', 'wrong 2'))).toEqual({ status: 401, code: 'invalid_credentials' });
    const locked = await signIn('ann@example.com', 'wrong 3');
    expect(failure(locked)).toEqual({ status: 429, code: 'account_locked' });
    expect(locked.headers.get('retry-after')).toBe('900');

    // Locked: even the right password is refused, with the time left.
    const refused = await signIn('ann@example.com', NEW_PASSWORD);
    expect(failure(refused)).toEqual({ status: 429, code: 'account_locked' });
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(800);
    expect(refused.body.message).toMatch(/try again in \d+ s/);

    // The period passes (the lock's end moved to the past rather than waited for).
    await h.prisma.account.update({ where: { email: 'ann@example.com' }, data: { lockedUntil: new Date(Date.now() - 1000) } });
    expect((await signIn('ann@example.com', NEW_PASSWORD)).status).toBe(200);
    const account = await h.prisma.account.findUniqueOrThrow({ where: { email: 'ann@example.com' } });
    expect(account).toMatchObject({ failedSignIns: 0, lockedUntil: null });
  });
});

describe('open sign-up (WEFT_OPEN_SIGNUP=true)', () => {
  let open: Harness;
  beforeAll(async () => {
    open = await startHarness('accounts-open', { ...SETTINGS, WEFT_OPEN_SIGNUP: 'true' });
    await emptyDeployment();
  });
  afterAll(async () => {
    await open.close();
  });

  it('gives every new account a workspace of its own as owner, and refuses a taken email', async () => {
    const api = httpClient(open.url);
    const first = await api('POST', '/v1/auth/sign-up', { email: 'one@example.com', password: PASSWORD });
    const second = await api('POST', '/v1/auth/sign-up', { email: 'two@example.com', password: PASSWORD, workspace: 'Two' });
    expect([first.status, second.status]).toEqual([201, 201]);
    expect(second.body.data.workspaces).toEqual([expect.objectContaining({ name: 'Two', role: 'owner' })]);
    expect(second.body.data.workspaceId).not.toBe(first.body.data.workspaceId);
    expect(failure(await api('POST', '/v1/auth/sign-up', { email: 'ONE@example.com', password: PASSWORD }))).toEqual({ status: 409, code: 'email_taken' });
    expect(failure(await api('POST', '/v1/auth/sign-up', { email: 'three@example.com', password: PASSWORD, workspace: 'Two' }))).toEqual({ status: 409, code: 'workspace_name_taken' });
    // Each sees only its own workspace.
    const mine = await httpClient(open.url, second.body.data.accessToken)('GET', '/v1/workspaces');
    expect(mine.body.data.map((w: { name: string }) => w.name)).toEqual(['Two']);
  });
});

describe('tenant CLI: create-owner (item 7)', () => {
  beforeAll(emptyDeployment);

  it('creates the workspace, its owner and an owner key; the owner can sign in', async () => {
    const created = await createOwner(h.prisma, { workspace: 'Boot', email: 'Boss@Example.com', password: PASSWORD, logN: 10 });
    expect(created).toMatchObject({ ok: true, email: 'boss@example.com', key: expect.stringMatching(/^sk-/) });
    if (!created.ok) return;
    const signedIn = await signIn('boss@example.com');
    expect(signedIn.body.data.workspaces).toEqual([expect.objectContaining({ id: created.tenantId, name: 'Boot', role: 'owner' })]);
    const key = await h.prisma.apiKey.findFirstOrThrow({ where: { tenantId: created.tenantId } });
    expect(key).toMatchObject({ role: 'owner', createdBy: created.accountId });
    expect((await as(created.key)('GET', '/v1/workflows')).status).toBe(200);

    expect(await createOwner(h.prisma, { workspace: 'Boot', email: 'new@example.com', password: PASSWORD, logN: 10 })).toEqual({ ok: false, problem: "a workspace named 'Boot' already exists" });
    expect(await createOwner(h.prisma, { workspace: 'Other', email: 'boss@example.com', password: PASSWORD, logN: 10 })).toMatchObject({ ok: false });
    expect(await createOwner(h.prisma, { workspace: 'Other', email: 'x@example.com', password: 'short', logN: 10 })).toEqual({ ok: false, problem: 'A password needs at least 12 characters' });
  });

  it('reads the password from stdin, never from the command line, and prints only the key', async () => {
    const cli = join(__dirname, '../../apps/api/dist/cli/tenant.cli.js');
    const run = (args: string[], stdin: string) =>
      new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: testEnv.databaseUrl, WEFT_PASSWORD_HASH_LOG_N: '10' };
        delete env.WEFT_OWNER_PASSWORD;
        const child = spawn(process.execPath, [cli, ...args], { env });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d) => (stdout += String(d)));
        child.stderr.on('data', (d) => (stderr += String(d)));
        child.on('close', (code) => resolve({ code, stdout, stderr }));
        child.stdin.end(stdin);
      });
    const ok = await run(['create-owner', 'Piped', 'piped@example.com'], `${PASSWORD}\n`);
    expect(ok).toMatchObject({ code: 0, stdout: expect.stringMatching(/^sk-[A-Za-z0-9_-]+\n$/) });
    expect(ok.stderr).not.toContain(PASSWORD);
    expect((await signIn('piped@example.com')).status).toBe(200);
    const extra = await run(['create-owner', 'Argv', 'argv@example.com', PASSWORD], '');
    expect(extra.code).toBe(2);
    expect(extra.stderr).toMatch(/never the command line/);
  });
});
