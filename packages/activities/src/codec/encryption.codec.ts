import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { PayloadKeyring } from './payload-keyring';

/** The metadata of an encrypted payload: its encoding and the id of the key it was encrypted with. */
export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';

const IV_BYTES = 12;
const TAG_BYTES = 16;
const ProtoPayload = temporal.api.common.v1.Payload;

const text = (bytes: Uint8Array | null | undefined) => (bytes ? Buffer.from(bytes).toString('utf8') : undefined);
const isEncrypted = (p: Payload) => text(p.metadata?.encoding) === ENCRYPTED_ENCODING;

/** Why an encrypted payload could not be read: the key is not in the ring, or the bytes are not what was written. */
export class PayloadDecryptionError extends Error {
  constructor(
    readonly reason: 'unknown_key' | 'unreadable',
    message: string,
  ) {
    super(message);
    this.name = 'PayloadDecryptionError';
  }
}

/**
 * AES-256-GCM payload codec (Temporal's encryption sample, in node:crypto): each payload becomes
 * one whose data is `IV (12 bytes) | ciphertext | auth tag (16 bytes)` of the original payload
 * serialized as protobuf (its metadata included, so its encoding is hidden too), and whose metadata
 * says `binary/encrypted` and the key id. Decoding passes payloads that are not encrypted through
 * unchanged: histories written before the codec still replay and read.
 */
export class EncryptionCodec implements PayloadCodec {
  constructor(private readonly keyring: PayloadKeyring) {}

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const keyId = this.keyring.encryptWith;
    const key = this.keyring.keys.get(keyId)!;
    return payloads.map((payload) => {
      // Already ciphertext (an encode request of the codec endpoint with encrypted payloads): not twice.
      if (isEncrypted(payload)) return payload;
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const plaintext = ProtoPayload.encode(payload).finish();
      const data = Buffer.concat([iv, cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
      return { metadata: { encoding: Buffer.from(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: Buffer.from(keyId) }, data };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => (isEncrypted(payload) ? this.decrypt(payload) : payload));
  }

  private decrypt(payload: Payload): Payload {
    const keyId = text(payload.metadata?.[KEY_ID_METADATA]) ?? '';
    const key = this.keyring.keys.get(keyId);
    if (!key) {
      throw new PayloadDecryptionError('unknown_key', `The payload was encrypted with key '${keyId.slice(0, 64)}', which is not in the keyring (WEFT_PAYLOAD_KEYS)`);
    }
    const data = Buffer.from(payload.data ?? new Uint8Array());
    if (data.length < IV_BYTES + TAG_BYTES) throw new PayloadDecryptionError('unreadable', `The payload encrypted with key '${keyId}' is too short to be one`);
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES));
      decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
      const plaintext = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
      return ProtoPayload.decode(plaintext);
    } catch {
      // GCM's tag check: another key under the same id, or bytes changed since they were written.
      throw new PayloadDecryptionError('unreadable', `The payload encrypted with key '${keyId}' does not decrypt: the key under that id is not the one it was written with, or the bytes were altered`);
    }
  }
}
