import { hkdfSync, randomBytes } from 'node:crypto';
import { SignJWT, UnsecuredJWT } from 'jose';
import { AccessTokens } from './access-tokens';

// Tokens of our own key that are not what AccessTokens.sign makes: refused, whatever they claim.
const ENCRYPTION_KEY = randomBytes(32).toString('hex');
const key = Buffer.from(hkdfSync('sha256', Buffer.from(ENCRYPTION_KEY, 'hex'), Buffer.alloc(0), 'weft access token key v1', 32));
const tokens = new AccessTokens(ENCRYPTION_KEY, 900);
const base = () => new SignJWT({ sid: 'ses_1', ws: 'tn_1' }).setProtectedHeader({ alg: 'HS256' }).setSubject('acct_1').setIssuer('weft').setAudience('weft-api');

describe('AccessTokens.verify', () => {
  it('accepts its own tokens', async () => {
    expect(await tokens.verify(await tokens.sign({ sub: 'acct_1', sid: 'ses_1', ws: 'tn_1' }))).toEqual({ sub: 'acct_1', sid: 'ses_1', ws: 'tn_1' });
    // The test's copy of the key derivation is the real one: a complete token of it passes.
    expect(await tokens.verify(await base().setIssuedAt().setExpirationTime('60s').sign(key))).toEqual({ sub: 'acct_1', sid: 'ses_1', ws: 'tn_1' });
  });

  it('refuses a token without an expiry (it would never end) or without an issue time', async () => {
    expect(await tokens.verify(await base().setIssuedAt().sign(key))).toBeUndefined();
    expect(await tokens.verify(await base().setExpirationTime('60s').sign(key))).toBeUndefined();
  });

  it('refuses alg none, another algorithm, another key and an expired token', async () => {
    expect(await tokens.verify(new UnsecuredJWT({ sid: 'ses_1' }).setSubject('acct_1').setIssuer('weft').setAudience('weft-api').setIssuedAt().setExpirationTime('60s').encode())).toBeUndefined();
    expect(await tokens.verify(await new SignJWT({ sid: 'ses_1' }).setProtectedHeader({ alg: 'HS512' }).setSubject('acct_1').setIssuer('weft').setAudience('weft-api').setIssuedAt().setExpirationTime('60s').sign(Buffer.concat([key, key])))).toBeUndefined();
    expect(await tokens.verify(await base().setIssuedAt().setExpirationTime('60s').sign(randomBytes(32)))).toBeUndefined();
    expect(await tokens.verify(await base().setIssuedAt(Math.floor(Date.now() / 1000) - 120).setExpirationTime(Math.floor(Date.now() / 1000) - 60).sign(key))).toBeUndefined();
  });
});
