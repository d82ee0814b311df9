import { httpClient, resetDatabase, startHarness, type Harness } from '../support/harness';

// Issue 12 reviewed as a hostile tenant and a hostile anonymous caller: concurrent guesses against
// the lockout, races on the refresh-token family (reuse, sign-out, password change), account
// enumeration through a made-up invitation, malformed input on the new routes, and the per-address
// limit of the anonymous session routes. Cheap scrypt and a lockout after 3 failures, as in
// accounts.test.ts.
const SETTINGS = { WEFT_PASSWORD_HASH_LOG_N: '10', WEFT_SIGNIN_MAX_FAILURES: '3', WEFT_SIGNIN_LOCK_SECONDS: '900' };
const PASSWORD = 'correct horse battery';

let h: Harness;
const anon = () => httpClient(h.url);
const as = (token: string) => httpClient(h.url, token);
const failure = (r: { status: number; body: any }) => ({ status: r.status, code: r.body?.code });

async function signIn(email: string, password = PASSWORD) {
  return anon()('POST', '/v1/auth/sign-in', { email, password });
}

beforeAll(async () => {
  h = await startHarness('governance-hostile', SETTINGS);
  await resetDatabase(h.prisma);
  await h.prisma.$executeRawUnsafe('TRUNCATE accounts CASCADE');
  const owner = await anon()('POST', '/v1/auth/sign-up', { email: 'owner@example.com', password: PASSWORD, workspace: 'Acme' });
  expect(owner.status).toBe(201);
});
afterAll(async () => {
  await h.close();
});

describe('lockout under concurrent guesses', () => {
  beforeEach(async () => {
    await h.prisma.account.update({ where: { email: 'owner@example.com' }, data: { failedSignIns: 0, lockedUntil: null } });
  });

  it('checks at most the limit of passwords however many guesses arrive at once', async () => {
    const guesses = await Promise.all(Array.from({ length: 12 }, (_, i) => signIn('owner@example.com', `wrong guess ${i}`)));
    const checked = guesses.filter((r) => r.body?.code === 'invalid_credentials');
    const locked = guesses.filter((r) => r.body?.code === 'account_locked');
    // Each of the 12 is either a checked (wrong) password or refused as locked, never more checked than the limit.
    expect(checked.length + locked.length).toBe(12);
    expect(checked.length).toBeLessThanOrEqual(3);
    for (const r of locked) {
      expect(r.status).toBe(429);
      expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    // Locked afterwards: the right password is refused too.
    expect(failure(await signIn('owner@example.com'))).toEqual({ status: 429, code: 'account_locked' });
  });

  it('turns a count left at the limit (a lowered limit) into a lock that ends, not a lock for ever', async () => {
    await h.prisma.account.update({ where: { email: 'owner@example.com' }, data: { failedSignIns: 5 } });
    const refused = await signIn('owner@example.com');
    expect(failure(refused)).toEqual({ status: 429, code: 'account_locked' });
    expect(refused.headers.get('retry-after')).toBe('900');
    const account = await h.prisma.account.findUniqueOrThrow({ where: { email: 'owner@example.com' } });
    expect(account.failedSignIns).toBe(0);
    expect(account.lockedUntil!.getTime()).toBeGreaterThan(Date.now());
    // The period passes (moved back, not waited for): the right password gets in.
    await h.prisma.account.update({ where: { email: 'owner@example.com' }, data: { lockedUntil: new Date(Date.now() - 1000) } });
    expect((await signIn('owner@example.com')).status).toBe(200);
  });

  it('still resets the count after a right password', async () => {
    expect(failure(await signIn('owner@example.com', 'wrong once'))).toEqual({ status: 401, code: 'invalid_credentials' });
    expect((await signIn('owner@example.com')).status).toBe(200);
    expect((await h.prisma.account.findUniqueOrThrow({ where: { email: 'owner@example.com' } })).failedSignIns).toBe(0);
  });
});

describe('refresh-token family under races', () => {
  beforeEach(async () => {
    await h.prisma.account.update({ where: { email: 'owner@example.com' }, data: { failedSignIns: 0, lockedUntil: null } });
  });

  const openTokens = (familyId: string) => h.prisma.refreshToken.count({ where: { familyId, revokedAt: null } });

  it('leaves no usable token in the family when one refresh token is presented several times at once', async () => {
    const session = (await signIn('owner@example.com')).body.data;
    const family = (await h.prisma.refreshToken.findFirstOrThrow({ where: { account: { email: 'owner@example.com' } }, orderBy: { createdAt: 'desc' } })).familyId;
    const answers = await Promise.all(Array.from({ length: 8 }, () => anon()('POST', '/v1/auth/refresh', { refreshToken: session.refreshToken })));
    const won = answers.filter((r) => r.status === 200);
    expect(won.length).toBeLessThanOrEqual(1);
    const lost = answers.filter((a) => a.status !== 200);
    // A loser that comes after the family's revocation finds its token revoked: invalid rather than reused.
    for (const r of lost) expect(['refresh_token_reused', 'refresh_token_invalid']).toContain(failure(r).code);
    expect(lost.some((r) => r.body.code === 'refresh_token_reused')).toBe(true);
    // The reuse revoked the family, including the token the winner was handed.
    expect(await openTokens(family)).toBe(0);
    for (const r of won) {
      expect((await anon()('POST', '/v1/auth/refresh', { refreshToken: r.body.data.refreshToken })).status).toBe(401);
      expect((await as(r.body.data.accessToken)('GET', '/v1/workspaces')).status).toBe(401);
    }
  });

  it('does not let a refresh racing a sign-out keep the session alive', async () => {
    const session = (await signIn('owner@example.com')).body.data;
    const family = (await h.prisma.refreshToken.findFirstOrThrow({ where: { account: { email: 'owner@example.com' } }, orderBy: { createdAt: 'desc' } })).familyId;
    const [out, refreshed] = await Promise.all([
      as(session.accessToken)('POST', '/v1/auth/sign-out'),
      anon()('POST', '/v1/auth/refresh', { refreshToken: session.refreshToken }),
    ]);
    expect(out.status).toBe(200);
    expect([200, 401]).toContain(refreshed.status);
    expect(await openTokens(family)).toBe(0);
    if (refreshed.status === 200) expect((await anon()('POST', '/v1/auth/refresh', { refreshToken: refreshed.body.data.refreshToken })).status).toBe(401);
    else expect(failure(refreshed)).toEqual({ status: 401, code: 'refresh_token_invalid' });
  });

  it('does not let a refresh racing a password change keep another session alive', async () => {
    const mine = (await signIn('owner@example.com')).body.data;
    const stolen = (await signIn('owner@example.com')).body.data;
    const stolenFamily = (await h.prisma.refreshToken.findFirstOrThrow({ where: { account: { email: 'owner@example.com' } }, orderBy: { createdAt: 'desc' } })).familyId;
    const [changed, refreshed] = await Promise.all([
      as(mine.accessToken)('PUT', '/v1/auth/password', { currentPassword: PASSWORD, newPassword: 'a brand new passphrase' }),
      anon()('POST', '/v1/auth/refresh', { refreshToken: stolen.refreshToken }),
    ]);
    expect(changed.status).toBe(200);
    expect([200, 401]).toContain(refreshed.status);
    expect(await openTokens(stolenFamily)).toBe(0);
    // Back to the suite's password for the other tests.
    const back = await as(changed.body.data.accessToken)('PUT', '/v1/auth/password', { currentPassword: 'a brand new passphrase', newPassword: PASSWORD });
    expect(back.status).toBe(200);
  });
});

describe('sign-up of a closed deployment', () => {
  it('does not tell an anonymous caller with a made-up invitation which emails have accounts', async () => {
    const signUp = (email: string, invitation: string) => anon()('POST', '/v1/auth/sign-up', { email, password: PASSWORD, invitation });
    // The same answer for an email with an account and one without.
    expect(failure(await signUp('owner@example.com', 'made-up'))).toEqual({ status: 404, code: 'invitation_not_found' });
    expect(failure(await signUp('nobody@example.com', 'made-up'))).toEqual({ status: 404, code: 'invitation_not_found' });

    const owner = (await signIn('owner@example.com')).body.data;
    const other = await as(owner.accessToken)('POST', '/v1/invitations', { email: 'someone@example.com', role: 'viewer' });
    expect(other.status).toBe(201);
    // Someone else's invitation is refused as such, whatever the email.
    expect(failure(await signUp('owner@example.com', other.body.data.token))).toEqual({ status: 403, code: 'invitation_email_mismatch' });

    // An invitation for an email that has an account: the invited person is told to sign in, and nothing is kept.
    await h.prisma.account.create({ data: { id: 'acct_hostile_x', email: 'existing@example.com', passwordHash: 'scrypt$10$8$1$AAAAAAAAAAAAAAAAAAAAAA$' + 'A'.repeat(43) } });
    const mine = await as(owner.accessToken)('POST', '/v1/invitations', { email: 'existing@example.com', role: 'developer' });
    expect(failure(await signUp('existing@example.com', mine.body.data.token))).toEqual({ status: 409, code: 'email_taken' });
    expect(await h.prisma.membership.count({ where: { accountId: 'acct_hostile_x' } })).toBe(0);
    expect((await h.prisma.invitation.findUniqueOrThrow({ where: { id: mine.body.data.id } })).acceptedAt).toBeNull();
  });
});

describe('bad input on the new routes', () => {
  it('answers every malformed request with a 4xx and a code, never a 500', async () => {
    const owner = (await signIn('owner@example.com')).body.data;
    const me = as(owner.accessToken);
    const huge = 'x'.repeat(100_000);
    const anonProbes: [string, string, unknown, Record<string, string>?][] = [
      ['POST', '/v1/auth/sign-in', '{"email": "owner@example.com", "password": '],
      ['POST', '/v1/auth/sign-in', { email: ['owner@example.com'], password: 1 }],
      ['POST', '/v1/auth/sign-in', { email: 'owner@example.com', password: huge }],
      ['POST', '/v1/auth/sign-in', { email: `${huge}@example.com`, password: PASSWORD }],
      ['POST', '/v1/auth/sign-in', { email: ' Owner@Example.com ', password: PASSWORD }],
      ['POST', '/v1/auth/sign-in', { email: 'owner@example.com', password: PASSWORD, workspaceId: '../../etc' }],
      ['POST', '/v1/auth/sign-in', { email: 'ówner@exämple.com', password: '\u0000\uffff\ud800' }],
      ['POST', '/v1/auth/sign-in', null],
      ['POST', '/v1/auth/sign-in', '[]'],
      ['POST', '/v1/auth/sign-up', { email: 'x@example.com', password: 'p'.repeat(257) }],
      ['POST', '/v1/auth/sign-up', { email: 'x@example.com', password: PASSWORD, invitation: huge }],
      ['POST', '/v1/auth/sign-up', { email: 'x@example.com', password: PASSWORD, invitation: 'i1.AAAA.zz.' + 'A'.repeat(43) }],
      ['POST', '/v1/auth/refresh', { refreshToken: 'rt_' + 'A'.repeat(43), workspaceId: 'tn_nope' }],
      ['POST', '/v1/auth/refresh', { refreshToken: 12 }],
      ['POST', '/v1/auth/refresh', 'not json', { 'content-type': 'text/plain' }],
    ];
    for (const [method, path, body, headers] of anonProbes) {
      const r = await anon()(method, path, body, headers);
      expect({ path, body: typeof body === 'string' ? body.slice(0, 60) : body === null ? null : 'object', status: r.status < 500, code: typeof r.body?.code }).toEqual({
        path,
        body: typeof body === 'string' ? body.slice(0, 60) : body === null ? null : 'object',
        status: true,
        code: 'string',
      });
    }
    const authed: [string, string, unknown?, Record<string, string>?][] = [
      ['GET', '/v1/members', undefined, { 'X-Workspace-Id': 'a'.repeat(65) }],
      ['GET', '/v1/members', undefined, { 'X-Workspace-Id': 'tn_not_mine' }],
      ['GET', '/v1/members?limit=100000&page=-1'],
      ['GET', '/v1/members?role=root'],
      ['PATCH', `/v1/members/${'m'.repeat(5000)}`, { role: 'owner' }],
      ['PATCH', '/v1/members/mem_x', { role: ['owner'] }],
      ['DELETE', `/v1/members/${encodeURIComponent('%00')}`],
      ['POST', '/v1/members', { email: 'not an email', role: 'viewer' }],
      ['POST', '/v1/invitations', { email: 'a@example.com', role: 'viewer', expiresInHours: 1e308 }],
      ['POST', '/v1/invitations', { email: 'a@example.com', role: 'viewer', expiresInHours: -5 }],
      ['POST', `/v1/invitations/${'A'.repeat(700)}/accept`],
      ['POST', `/v1/invitations/${'A'.repeat(5000)}/accept`],
      ['POST', '/v1/invitations/i1.%ZZ/accept'],
      ['DELETE', '/v1/invitations/inv_nope'],
      ['POST', '/v1/api-keys', { name: huge, role: 'viewer' }],
      ['POST', '/v1/api-keys', { name: 'k', role: 'viewer', expiresAt: '2999-99-99T00:00:00Z' }],
      ['POST', '/v1/api-keys', { name: 'k', role: 'viewer', expiresAt: '+275760-09-13T00:00:00.000Z' }],
      ['POST', '/v1/api-keys', { name: 'k', role: 'viewer', expiresInDays: 1e308 }],
      ['POST', '/v1/api-keys', { name: 'k', role: 'viewer', scopes: ['x'.repeat(1000)] }],
      ['POST', '/v1/api-keys/key_nope/rotate'],
      ['DELETE', '/v1/api-keys/key_nope'],
      ['PUT', '/v1/quotas', { concurrentRuns: 1e308 }],
      ['PUT', '/v1/quotas', { concurrentRuns: -1 }],
      ['PUT', '/v1/quotas', { concurrentRuns: 1.5 }],
      ['PUT', '/v1/quotas', { concurrentRuns: '5' }],
      ['PUT', '/v1/quotas', '{"concurrentRuns": 1e400}'],
      ['GET', '/v1/usage?from=2026-12-01&to=2026-01-01'],
      ['GET', '/v1/usage?from=0001-01-01&to=9999-12-31'],
      ['GET', '/v1/usage?from=2026-02-30'],
      ['GET', '/v1/audit?from=not-a-time'],
      ['GET', '/v1/audit?from=275760-09-13T00:00:00Z'],
      ['GET', `/v1/audit?objectId=${'o'.repeat(5000)}`],
      ['GET', '/v1/audit?action=a.b.c.d.e.f'],
      ['POST', '/v1/workspaces', { name: huge }],
      ['POST', '/v1/workspaces', { name: '\u0000' }],
      ['PUT', '/v1/auth/password', { currentPassword: huge, newPassword: PASSWORD }],
    ];
    for (const [method, path, body, headers] of authed) {
      const r = await me(method, path, body, headers);
      expect({ method, path: path.slice(0, 80), fine: r.status < 500 && typeof r.body?.code === 'string' }).toEqual({ method, path: path.slice(0, 80), fine: true });
    }
  });
});

describe('the anonymous session routes under a flood', () => {
  let limited: Harness;
  beforeAll(async () => {
    limited = await startHarness('governance-hostile-address', { ...SETTINGS, WEFT_RATE_LIMIT_ADDRESS_PER_MINUTE: '3' });
    const stale = await limited.redis.keys('weft:rl:address*');
    if (stale.length > 0) await limited.redis.del(...stale);
  });
  afterAll(async () => {
    await limited.close();
  });

  it('limits sign-in, sign-up and refresh per source address, whatever the email or token, with the headers and 429 rate_limited', async () => {
    const call = httpClient(limited.url);
    // Guesses across many emails: each email is below its lockout, the address is not below its limit.
    const first = await call('POST', '/v1/auth/sign-in', { email: 'a1@example.com', password: 'guess one' });
    expect(failure(first)).toEqual({ status: 401, code: 'invalid_credentials' });
    expect(first.headers.get('ratelimit-limit')).toBe('3');
    expect(first.headers.get('ratelimit-remaining')).toBe('2');
    expect(failure(await call('POST', '/v1/auth/sign-up', { email: 'a2@example.com', password: PASSWORD, invitation: 'made-up' }))).toEqual({ status: 404, code: 'invitation_not_found' });
    expect(failure(await call('POST', '/v1/auth/refresh', { refreshToken: 'rt_' + 'A'.repeat(43) }))).toEqual({ status: 401, code: 'refresh_token_invalid' });
    for (const [path, body] of [
      ['/v1/auth/sign-in', { email: 'a3@example.com', password: 'guess four' }],
      ['/v1/auth/sign-up', { email: 'a4@example.com', password: PASSWORD }],
      ['/v1/auth/refresh', { refreshToken: 'garbage' }],
    ] as const) {
      const refused = await call('POST', path, body);
      expect(failure(refused)).toEqual({ status: 429, code: 'rate_limited' });
      expect(refused.headers.get('ratelimit-remaining')).toBe('0');
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    // Routes with credentials are not counted here: their own limits apply.
    expect((await call('GET', '/v1/workspaces')).status).toBe(401);
  });
});
