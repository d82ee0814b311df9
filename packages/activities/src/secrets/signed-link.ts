import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { parseEncryptionKey } from './secret-cipher';

/** What a valid link names: one object and the moment the link stops working. */
export interface SignedLinkClaims {
  id: string;
  expiresAt: Date;
}

/** `expired` carries the claims too: the signature was ours, so the id may be looked up (to say why). */
export type SignedLinkCheck = { ok: true; claims: SignedLinkClaims } | { ok: false; reason: 'invalid' } | { ok: false; reason: 'expired'; claims: SignedLinkClaims };

/**
 * Signed links: `<version>.<object id, base64url>.<expiry, ms since the epoch, base36>.<HMAC-SHA256>`,
 * the HMAC over the version, the id and the expiry, with a key derived from WEFT_ENCRYPTION_KEY
 * (HKDF-SHA256) under a label of the link kind's own, so every process that has the setting checks
 * what any other signed, and one kind's signature is worth nothing as another's. A link is bound to
 * its one object (the id is signed); that it is single use is that object's state, checked where it
 * is used. Approval form links (approvals/form-token.ts) and workspace invitations use it.
 */
export class SignedLinks {
  private readonly key: Buffer;

  /** `label`: the HKDF info of this kind of link; `version`: the token's first part (letters and digits). */
  constructor(
    encryptionKey: string,
    label: string,
    private readonly version: string,
  ) {
    if (!/^[a-z][a-z0-9]{0,7}$/.test(version)) throw new Error(`signed link version '${version}': 1 to 8 lowercase letters and digits`);
    this.key = Buffer.from(hkdfSync('sha256', parseEncryptionKey(encryptionKey), Buffer.alloc(0), Buffer.from(label), 32));
  }

  sign(id: string, expiresAt: Date | string): string {
    const expiry = new Date(expiresAt).getTime();
    if (!Number.isFinite(expiry)) throw new Error(`signed link for ${id}: expiry is not a time`);
    const payload = `${this.version}.${Buffer.from(id, 'utf8').toString('base64url')}.${expiry.toString(36)}`;
    return `${payload}.${this.mac(payload)}`;
  }

  /** Checks the signature first: an expired verdict is only given to a token we signed. */
  verify(token: string, now: Date = new Date()): SignedLinkCheck {
    const parts = token.split('.');
    if (parts.length !== 4 || parts[0] !== this.version) return { ok: false, reason: 'invalid' };
    const [, id, expiry, mac] = parts as [string, string, string, string];
    if (!/^[A-Za-z0-9_-]{1,400}$/.test(id) || !/^[0-9a-z]{1,12}$/.test(expiry) || !/^[A-Za-z0-9_-]{43}$/.test(mac)) return { ok: false, reason: 'invalid' };
    const expected = Buffer.from(this.mac(`${this.version}.${id}.${expiry}`), 'utf8');
    const given = Buffer.from(mac, 'utf8');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'invalid' };
    const expiresAt = new Date(parseInt(expiry, 36));
    if (Number.isNaN(expiresAt.getTime())) return { ok: false, reason: 'invalid' };
    const claims = { id: Buffer.from(id, 'base64url').toString('utf8'), expiresAt };
    if (now.getTime() >= expiresAt.getTime()) return { ok: false, reason: 'expired', claims };
    return { ok: true, claims };
  }

  private mac(payload: string): string {
    return createHmac('sha256', this.key).update(payload).digest('base64url');
  }
}
