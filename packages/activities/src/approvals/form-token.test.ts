import { randomBytes } from 'node:crypto';
import { FormTokens, formPageUrl, formUrl } from './form-token';

const key = randomBytes(32).toString('hex');
const tokens = new FormTokens(key);
const expiresAt = new Date(Date.now() + 60_000);
const now = new Date();

/** Replaces one character of a part of the token with another from the same alphabet. */
function flip(token: string, part: number, at = 0): string {
  const parts = token.split('.');
  const text = parts[part]!;
  const c = text[at]!;
  parts[part] = text.slice(0, at) + (c === 'A' ? 'B' : c === '0' ? '1' : c === 'a' ? 'b' : 'A') + text.slice(at + 1);
  return parts.join('.');
}

describe('form tokens', () => {
  it('round-trips the approval id and expiry, in a URL-safe token', () => {
    const token = tokens.sign('apr_123', expiresAt);
    expect(token).toMatch(/^[A-Za-z0-9._-]+$/);
    expect(tokens.verify(token, now)).toEqual({ ok: true, claims: { approvalId: 'apr_123', expiresAt } });
    expect(formUrl('https://weft.example.com/', token)).toBe(`https://weft.example.com/v1/forms/${token}`);
    expect(formPageUrl('https://weft.example.com//', token)).toBe(`https://weft.example.com/console/forms/${token}`);
  });

  it('refuses a forged token: another key, a made-up signature, no signature, garbage', () => {
    const other = new FormTokens(randomBytes(32).toString('hex'));
    const forged = other.sign('apr_123', expiresAt);
    expect(tokens.verify(forged, now)).toEqual({ ok: false, reason: 'invalid' });
    const [v, id, exp] = tokens.sign('apr_123', expiresAt).split('.');
    expect(tokens.verify(`${v}.${id}.${exp}.${'A'.repeat(43)}`, now)).toEqual({ ok: false, reason: 'invalid' });
    for (const junk of ['', 'f1', `${v}.${id}.${exp}`, `${v}.${id}.${exp}.`, 'f1...', 'x'.repeat(700), `f2.${id}.${exp}.${'A'.repeat(43)}`]) {
      expect([junk, tokens.verify(junk, now)]).toEqual([junk, { ok: false, reason: 'invalid' }]);
    }
  });

  it('refuses a tampered token: the approval id, the expiry (later or earlier) or the signature changed', () => {
    const token = tokens.sign('apr_123', expiresAt);
    for (const part of [1, 2, 3]) expect(tokens.verify(flip(token, part), now)).toEqual({ ok: false, reason: 'invalid' });
    const [v, , exp, mac] = token.split('.');
    const otherId = Buffer.from('apr_124').toString('base64url');
    expect(tokens.verify(`${v}.${otherId}.${exp}.${mac}`, now)).toEqual({ ok: false, reason: 'invalid' });
    const later = (expiresAt.getTime() + 86_400_000).toString(36);
    expect(tokens.verify(`${v}.${token.split('.')[1]}.${later}.${mac}`, now)).toEqual({ ok: false, reason: 'invalid' });
  });

  it("binds a token to its approval: one approval's token never names another", () => {
    const a = tokens.sign('apr_a', expiresAt);
    const b = tokens.sign('apr_b', expiresAt);
    expect(a).not.toBe(b);
    const check = tokens.verify(a, now);
    expect(check.ok && check.claims.approvalId).toBe('apr_a');
    // The signature of one pasted onto the other's payload is worth nothing.
    const [va, ida, expa] = a.split('.');
    expect(tokens.verify(`${va}.${ida}.${expa}.${b.split('.')[3]}`, now)).toEqual({ ok: false, reason: 'invalid' });
  });

  it('says expired only for a token it signed, from the expiry on', () => {
    const past = new Date(Date.now() - 1000);
    const token = tokens.sign('apr_123', past);
    expect(tokens.verify(token, now)).toEqual({ ok: false, reason: 'expired' });
    expect(tokens.verify(token, new Date(past.getTime() - 1))).toMatchObject({ ok: true });
    expect(tokens.verify(token, past)).toEqual({ ok: false, reason: 'expired' });
    expect(tokens.verify(flip(token, 3), now)).toEqual({ ok: false, reason: 'invalid' });
  });

  it('signs with a key derived from WEFT_ENCRYPTION_KEY: the same key in the worker and the API agrees', () => {
    const api = new FormTokens(key);
    expect(api.verify(tokens.sign('apr_9', expiresAt), now)).toMatchObject({ ok: true });
    expect(() => new FormTokens('short')).toThrow(/32 bytes/);
  });
});
