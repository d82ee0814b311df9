import { hkdfSync } from 'node:crypto';
import { parseEncryptionKey } from '../secrets/secret-cipher';

/** The keys payloads are encrypted with (one) and decrypted with (all of them: rotation). */
export interface PayloadKeyring {
  /** the id of the key new payloads are encrypted with */
  encryptWith: string;
  keys: ReadonlyMap<string, Buffer>;
}

export interface PayloadKeySettings {
  /** WEFT_PAYLOAD_KEYS: `id:key,id:key`, each key 32 bytes as 64 hex characters or base64 */
  keys?: string;
  /** WEFT_PAYLOAD_KEY_ID: the key of WEFT_PAYLOAD_KEYS to encrypt with (default: the last one listed) */
  keyId?: string;
  /** WEFT_ENCRYPTION_KEY: the default payload key is derived from it */
  encryptionKey: string;
}

/** A bad keyring setting, said plainly (the apps stop at start-up with it). */
export class PayloadKeyringError extends Error {}

const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;
const PAYLOAD_KEY_INFO = 'weft payload codec key v1';
const PAYLOAD_KEY_ID_INFO = 'weft payload codec key id v1';

/**
 * The payload key derived from WEFT_ENCRYPTION_KEY (HKDF-SHA256, a label of its own, as blob
 * references and form links derive theirs), so a checkout that has the one key encrypts its history
 * without a second setting. Its id is derived too (not the key, nor anything that reveals it): a
 * history written under another WEFT_ENCRYPTION_KEY then fails with "unknown key id", named.
 */
export function derivedPayloadKey(encryptionKey: string): { id: string; key: Buffer } {
  const root = parseEncryptionKey(encryptionKey);
  const key = Buffer.from(hkdfSync('sha256', root, Buffer.alloc(0), PAYLOAD_KEY_INFO, 32));
  const id = `derived-${Buffer.from(hkdfSync('sha256', root, Buffer.alloc(0), PAYLOAD_KEY_ID_INFO, 6)).toString('hex')}`;
  return { id, key };
}

function parseKey(id: string, text: string): Buffer {
  const key = /^[0-9a-f]{64}$/i.test(text) ? Buffer.from(text, 'hex') : /^[A-Za-z0-9+/_-]+={0,2}$/.test(text) ? Buffer.from(text, 'base64') : Buffer.alloc(0);
  if (key.length !== 32) throw new PayloadKeyringError(`WEFT_PAYLOAD_KEYS: key '${id}' must be 32 bytes, as 64 hex characters or base64`);
  return key;
}

/**
 * The keyring from the settings. Without WEFT_PAYLOAD_KEYS it holds the derived key alone and
 * encrypts with it. With it, new payloads are encrypted with WEFT_PAYLOAD_KEY_ID (or the last key
 * listed), every listed key decrypts, and so does the derived key: history written before the
 * operator set keys of their own stays readable while WEFT_ENCRYPTION_KEY is the same.
 */
export function parsePayloadKeyring(settings: PayloadKeySettings): PayloadKeyring {
  const derived = derivedPayloadKey(settings.encryptionKey);
  const keys = new Map<string, Buffer>([[derived.id, derived.key]]);
  const listed = (settings.keys ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const own = new Set<string>();
  for (const entry of listed) {
    const at = entry.indexOf(':');
    const id = at > 0 ? entry.slice(0, at).trim() : '';
    if (!KEY_ID.test(id)) throw new PayloadKeyringError('WEFT_PAYLOAD_KEYS: each entry is <id>:<key>, the id of letters, digits, ".", "_" or "-" (at most 64)');
    if (own.has(id) || id === derived.id) throw new PayloadKeyringError(`WEFT_PAYLOAD_KEYS: key id '${id}' is listed twice`);
    own.add(id);
    keys.set(id, parseKey(id, entry.slice(at + 1).trim()));
  }
  const keyId = settings.keyId?.trim() || undefined;
  if (keyId !== undefined && !own.has(keyId) && keyId !== derived.id) {
    throw new PayloadKeyringError(`WEFT_PAYLOAD_KEY_ID: '${keyId}' is not a key of WEFT_PAYLOAD_KEYS`);
  }
  return { encryptWith: keyId ?? [...own].at(-1) ?? derived.id, keys };
}
