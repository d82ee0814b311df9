import { SignedLinks } from '../secrets/signed-link';

// The key that signs form links is derived from WEFT_ENCRYPTION_KEY under its own label, so the
// worker (which builds links for notices) and the API (which checks them) share it without a new
// setting, and a form link's signature says nothing about the key that encrypts secrets.
const FORM_KEY_INFO = 'weft form links v1';
const VERSION = 'f1';

/** What a valid form token names: one approval and the moment it expires. */
export interface FormTokenClaims {
  approvalId: string;
  expiresAt: Date;
}

export type FormTokenCheck = { ok: true; claims: FormTokenClaims } | { ok: false; reason: 'invalid' | 'expired' };

/**
 * Signed form links (secrets/signed-link.ts): `f1.<approval id, base64url>.<expiry, ms since the
 * epoch, base36>.<HMAC-SHA256>`. A token is bound to that one approval (its id is signed) and
 * expires with it; that it is single use is the approval's state (a decided approval answers no
 * second decision), checked where the token is used.
 */
export class FormTokens {
  private readonly links: SignedLinks;

  constructor(encryptionKey: string) {
    this.links = new SignedLinks(encryptionKey, FORM_KEY_INFO, VERSION);
  }

  sign(approvalId: string, expiresAt: Date | string): string {
    return this.links.sign(approvalId, expiresAt);
  }

  /** Checks the signature first: an expired verdict is only given to a token we signed. */
  verify(token: string, now: Date = new Date()): FormTokenCheck {
    const check = this.links.verify(token, now);
    if (!check.ok) return { ok: false, reason: check.reason };
    return { ok: true, claims: { approvalId: check.claims.id, expiresAt: check.claims.expiresAt } };
  }
}

/** Where a form link points: `<public URL>/v1/forms/<token>`. */
export function formUrl(publicUrl: string, token: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/v1/forms/${token}`;
}

/** The same link as a page of the web console, for a person: it reads and posts the API's form. */
export function formPageUrl(publicUrl: string, token: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/console/forms/${token}`;
}
