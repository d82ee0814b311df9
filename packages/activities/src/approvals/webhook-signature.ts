import { createHmac, timingSafeEqual } from 'node:crypto';

/** The header an approval notice is signed in: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`. */
export const WEBHOOK_SIGNATURE_HEADER = 'Weft-Signature';

/**
 * The tenant secret an approval webhook is signed with (`PUT /v1/secrets/APPROVAL_WEBHOOK_SECRET`).
 * It is the tenant's: a receiver verifies notices with a secret only its own tenant knows, so no
 * tenant can forge a notice for another's receiver. A tenant without it gets no webhook.
 */
export const WEBHOOK_SECRET_NAME = 'APPROVAL_WEBHOOK_SECRET';

/** How far a signature's time may be from the receiver's clock, by default. */
export const WEBHOOK_TOLERANCE_S = 300;

const hmacHex = (secret: string, t: number, body: string) => createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');

/** The header value for a body sent at `at`; signing the time with the body stops replays of old notices. */
export function signWebhook(secret: string, body: string, at: Date = new Date()): string {
  const t = Math.floor(at.getTime() / 1000);
  return `t=${t},v1=${hmacHex(secret, t, body)}`;
}

/**
 * What a receiver does (and the tests): recompute the HMAC over the raw body with the header's
 * time, compare in constant time, and refuse a time outside the tolerance. Several `v1=` values
 * are accepted, so a sender may sign with an old and a new secret while one is rotated.
 */
export function verifyWebhookSignature(
  secret: string,
  header: string | undefined,
  body: string,
  options: { now?: Date; toleranceS?: number } = {},
): { ok: true } | { ok: false; reason: 'missing' | 'malformed' | 'stale' | 'mismatch' } {
  if (!header) return { ok: false, reason: 'missing' };
  const parts = header.split(',').map((p) => p.trim().split('='));
  const t = parts.find(([k]) => k === 't')?.[1];
  const sigs = parts.filter(([k, v]) => k === 'v1' && v && /^[0-9a-f]{64}$/.test(v)).map(([, v]) => v!);
  if (!t || !/^\d{1,12}$/.test(t) || !sigs.length) return { ok: false, reason: 'malformed' };
  const now = Math.floor((options.now ?? new Date()).getTime() / 1000);
  if (Math.abs(now - Number(t)) > (options.toleranceS ?? WEBHOOK_TOLERANCE_S)) return { ok: false, reason: 'stale' };
  const expected = Buffer.from(hmacHex(secret, Number(t), body), 'hex');
  return sigs.some((s) => timingSafeEqual(Buffer.from(s, 'hex'), expected)) ? { ok: true } : { ok: false, reason: 'mismatch' };
}
