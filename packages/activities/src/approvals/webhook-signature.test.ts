import { createHmac } from 'node:crypto';
import { signWebhook, verifyWebhookSignature } from './webhook-signature';

const secret = 'whsec_test_secret';
const body = JSON.stringify({ approvalId: 'apr_1', formUrl: 'http://127.0.0.1:3000/v1/forms/f1.x.y.z' });
const at = new Date('2026-11-26T03:00:00Z');

describe('webhook signatures', () => {
  it('is t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body"> with the tenant secret', () => {
    const header = signWebhook(secret, body, at);
    const t = at.getTime() / 1000;
    expect(header).toBe(`t=${t},v1=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`);
    expect(verifyWebhookSignature(secret, header, body, { now: at })).toEqual({ ok: true });
  });

  it('fails for another secret, a changed body, a changed time, a missing or malformed header', () => {
    const header = signWebhook(secret, body, at);
    expect(verifyWebhookSignature('other', header, body, { now: at })).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifyWebhookSignature(secret, header, body.replace('apr_1', 'apr_2'), { now: at })).toEqual({ ok: false, reason: 'mismatch' });
    const shifted = header.replace(/^t=(\d+)/, (_m, t: string) => `t=${Number(t) + 1}`);
    expect(verifyWebhookSignature(secret, shifted, body, { now: at })).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifyWebhookSignature(secret, undefined, body, { now: at })).toEqual({ ok: false, reason: 'missing' });
    for (const bad of ['v1=abc', 't=1', 't=x,v1=' + 'a'.repeat(64), `t=${at.getTime() / 1000},v1=zz`]) {
      expect(verifyWebhookSignature(secret, bad, body, { now: at })).toEqual({ ok: false, reason: 'malformed' });
    }
  });

  it('refuses a replay outside the tolerance, and accepts any of several v1 values (a secret being rotated)', () => {
    const header = signWebhook(secret, body, at);
    expect(verifyWebhookSignature(secret, header, body, { now: new Date(at.getTime() + 301_000) })).toEqual({ ok: false, reason: 'stale' });
    expect(verifyWebhookSignature(secret, header, body, { now: new Date(at.getTime() + 299_000) })).toEqual({ ok: true });
    const both = `${header},v1=${signWebhook('old', body, at).split('v1=')[1]}`;
    expect(verifyWebhookSignature('old', both, body, { now: at })).toEqual({ ok: true });
  });
});
