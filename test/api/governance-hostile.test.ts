import { httpClient, resetDatabase, startHarness, type Harness } from '../support/harness';

// Issue 12 reviewed as a hostile tenant: races on the lockout and on the refresh-token family.
// Cheap scrypt and a lockout after 3 failures, as in accounts.test.ts.
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
