import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const VERSION = 'v1';

/** WEFT_ENCRYPTION_KEY as its 32 bytes (given as 64 hex characters or base64). */
export function parseEncryptionKey(keyText: string): Buffer {
  const key = /^[0-9a-f]{64}$/i.test(keyText) ? Buffer.from(keyText, 'hex') : Buffer.from(keyText, 'base64');
  if (key.length !== 32) throw new Error('WEFT_ENCRYPTION_KEY must be 32 bytes, as 64 hex characters or base64');
  return key;
}

/**
 * AES-256-GCM for values stored at rest (tenant secrets, provider API keys). The format carries a
 * version so the key or algorithm can be rotated later: `v1:<iv>:<tag>:<ciphertext>`, base64url.
 */
export class SecretCipher {
  private readonly key: Buffer;

  constructor(keyText: string) {
    this.key = parseEncryptionKey(keyText);
  }

  encrypt(plaintext: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [VERSION, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ciphertext.toString('base64url')].join(':');
  }

  decrypt(stored: string): string {
    const [version, iv, tag, ciphertext] = stored.split(':');
    if (version !== VERSION || !iv || !tag || ciphertext === undefined) throw new Error('Unreadable encrypted value');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
  }
}
