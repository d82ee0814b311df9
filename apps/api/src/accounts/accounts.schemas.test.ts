import { Readable } from 'node:stream';
import { readPassword } from '../cli/create-owner';
import { changePasswordBody, emailField, newPasswordField, refreshBody, signUpBody } from './accounts.schemas';

describe('account request schemas', () => {
  it('lower-cases emails and refuses what is not one', () => {
    expect(emailField.parse('Ann.Lee+work@Example.ORG')).toBe('ann.lee+work@example.org');
    for (const bad of ['', 'ann', 'ann@', '@example.org', 'ann@example', 'a b@example.org', `${'a'.repeat(250)}@example.org`]) {
      expect([bad, emailField.safeParse(bad).success]).toEqual([bad, false]);
    }
  });

  it('takes passwords of 12 to 256 characters and says so', () => {
    expect(newPasswordField.safeParse('x'.repeat(12)).success).toBe(true);
    expect(newPasswordField.safeParse('x'.repeat(256)).success).toBe(true);
    expect(newPasswordField.safeParse('x'.repeat(11)).error?.issues[0]?.message).toBe('A password needs at least 12 characters');
    expect(newPasswordField.safeParse('x'.repeat(257)).error?.issues[0]?.message).toBe('A password has at most 256 characters');
    // At sign-in and as the current password, any length the rules ever allowed.
    expect(changePasswordBody.safeParse({ currentPassword: 'short', newPassword: 'long enough now' }).success).toBe(true);
  });

  it('refuses unknown fields', () => {
    expect(signUpBody.safeParse({ email: 'a@example.org', password: 'x'.repeat(12), role: 'owner' }).success).toBe(false);
    expect(refreshBody.safeParse({ refreshToken: 'rt_x', accountId: 'acct_1' }).success).toBe(false);
  });
});

describe('the CLI reads a password', () => {
  it('from the first line of stdin, without its line ending', async () => {
    expect(await readPassword(Readable.from(['correct horse ', 'battery\r\nsecond line\n']))).toBe('correct horse battery');
    expect(await readPassword(Readable.from(['no newline at all']))).toBe('no newline at all');
    expect(await readPassword(Readable.from([]))).toBe('');
  });
});
