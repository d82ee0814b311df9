import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { parseEncryptionKey } from '../secrets/secret-cipher';

// The key that signs form links is derived from WEFT_ENCRYPTION_KEY under its own label, so the
// worker (which builds links for notices) and the API (which checks them) share it without a new
// setting, and a form link's signature says nothing about the key that encrypts secrets.
const FORM_KEY_INFO = Buffer.from('weft form links v1');
const VERSION = 'f1';

/** What a valid form token names: one approval and the moment it expires. */
export interface FormTokenClaims {
  approvalId: string;
  expiresAt: Date;
}

export type FormTokenCheck = { ok: true; claims: FormTokenClaims } | { ok: false; reason: 'invalid' | 'expired' };

/**
 * Signed form links: `f1.<approval id, base64url>.<expiry, ms since the epoch, base36>.<HMAC-SHA256>`,
 * the HMAC over the version, the approval id and the expiry. A token is bound to that one approval
 * (its id is signed) and expires with it; that it is single use is the approval's state (a decided
 * approval answers no second decision), checked where the token is used.
 */
export class FormTokens {
  private readonly key: Buffer;

  constructor(encryptionKey: string) {
    this.key = Buffer.from(hkdfSync('sha256', parseEncryptionKey(encryptionKey), Buffer.alloc(0), FORM_KEY_INFO, 32));
  }

  sign(approvalId: string, expiresAt: Date | string): string {
    const expiry = new Date(expiresAt).getTime();
    if (!Number.isFinite(expiry)) throw new Error(`form token for ${approvalId}: expiry is not a time`);
    const payload = `${VERSION}.${Buffer.from(approvalId, 'utf8').toString('base64url')}.${expiry.toString(36)}`;
    return `${payload}.${this.mac(payload)}`;
  }

  /** Checks the signature first: an expired verdict is only given to a token we signed. */
  verify(token: string, now: Date = new Date()): FormTokenCheck {
    const parts = token.split('.');
    if (parts.length !== 4 || parts[0] !== VERSION) return { ok: false, reason: 'invalid' };
    const [, id, expiry, mac] = parts as [string, string, string, string];
    if (!/^[A-Za-z0-9_-]{1,400}$/.test(id) || !/^[0-9a-z]{1,12}$/.test(expiry) || !/^[A-Za-z0-9_-]{43}$/.test(mac)) return { ok: false, reason: 'invalid' };
    const expected = Buffer.from(this.mac(`${VERSION}.${id}.${expiry}`), 'utf8');
    const given = Buffer.from(mac, 'utf8');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'invalid' };
    const expiresAt = new Date(parseInt(expiry, 36));
    const approvalId = Buffer.from(id, 'base64url').toString('utf8');
    if (Number.isNaN(expiresAt.getTime())) return { ok: false, reason: 'invalid' };
    if (now.getTime() >= expiresAt.getTime()) return { ok: false, reason: 'expired' };
    return { ok: true, claims: { approvalId, expiresAt } };
  }

  private mac(payload: string): string {
    return createHmac('sha256', this.key).update(payload).digest('base64url');
  }
}

/** Where a form link points: `<public URL>/v1/forms/<token>`. */
export function formUrl(publicUrl: string, token: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/v1/forms/${token}`;
}
