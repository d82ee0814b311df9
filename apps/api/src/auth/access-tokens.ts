import { hkdfSync } from 'node:crypto';
import { SignJWT, jwtVerify } from 'jose';
import { parseEncryptionKey } from '@weft/activities';

/** What an access token says: the account, its session (refresh token family), and optionally a workspace. */
export interface AccessClaims {
  /** the account id */
  sub: string;
  /** the session: the family of refresh tokens it came from */
  sid: string;
  /** the workspace requests are for when they name none (X-Workspace-Id wins) */
  ws?: string;
}

const KEY_INFO = 'weft access token key v1';
const ISSUER = 'weft';
const AUDIENCE = 'weft-api';
/** Access tokens are JWTs (HS256) and never start like an API key (`sk-`). */
export const ACCESS_TOKEN = /^[A-Za-z0-9_-]{10,2000}\.[A-Za-z0-9_-]{10,4000}\.[A-Za-z0-9_-]{20,200}$/;

/**
 * Short-lived access tokens, signed with a key derived from WEFT_ENCRYPTION_KEY (HKDF-SHA256 with
 * a label of its own, as the payload codec and form links derive theirs): every API process
 * verifies what any other signed, with no table lookup.
 */
export class AccessTokens {
  private readonly key: Buffer;

  constructor(
    encryptionKey: string,
    readonly ttlSeconds: number,
  ) {
    this.key = Buffer.from(hkdfSync('sha256', parseEncryptionKey(encryptionKey), Buffer.alloc(0), KEY_INFO, 32));
  }

  sign(claims: AccessClaims): Promise<string> {
    const payload = { sid: claims.sid, ...(claims.ws ? { ws: claims.ws } : {}) };
    return new SignJWT(payload)
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(claims.sub)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(`${this.ttlSeconds}s`)
      .sign(this.key);
  }

  /** The claims of a valid, unexpired token of ours; undefined for anything else. */
  async verify(token: string): Promise<AccessClaims | undefined> {
    try {
      const { payload } = await jwtVerify(token, this.key, { algorithms: ['HS256'], issuer: ISSUER, audience: AUDIENCE, requiredClaims: ['exp', 'iat', 'sub'] });
      if (typeof payload.sub !== 'string' || typeof payload.sid !== 'string') return undefined;
      return { sub: payload.sub, sid: payload.sid, ...(typeof payload.ws === 'string' ? { ws: payload.ws } : {}) };
    } catch {
      return undefined;
    }
  }
}
