import { randomBytes } from 'node:crypto';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { ENCRYPTED_ENCODING, EncryptionCodec, KEY_ID_METADATA, PayloadDecryptionError } from './encryption.codec';
import { derivedPayloadKey, parsePayloadKeyring, PayloadKeyringError } from './payload-keyring';
import { payloadDataConverter, payloadKeysProblem } from './payload-codec';

const ROOT = 'ab'.repeat(32);
const keyA = randomBytes(32).toString('hex');
const keyB = randomBytes(32).toString('base64');
const text = (b: Uint8Array | null | undefined) => Buffer.from(b ?? new Uint8Array()).toString('utf8');
const SECRET = 'the-distinctive-input-7d1f';
const plain = (value: unknown): Payload => defaultPayloadConverter.toPayload(value)!;

const codecWith = (keys: string, keyId?: string) => new EncryptionCodec(parsePayloadKeyring({ keys, ...(keyId ? { keyId } : {}), encryptionKey: ROOT }));

describe('EncryptionCodec', () => {
  it('round-trips payloads, hiding the value and its encoding behind the key id', async () => {
    const codec = codecWith(`a:${keyA}`);
    const original = [plain({ question: SECRET }), plain(null), plain('x'.repeat(10_000))];
    const encoded = await codec.encode(original);
    for (const p of encoded) {
      expect(Object.keys(p.metadata!).sort()).toEqual(['encoding', KEY_ID_METADATA]);
      expect(text(p.metadata!.encoding)).toBe(ENCRYPTED_ENCODING);
      expect(text(p.metadata![KEY_ID_METADATA])).toBe('a');
    }
    const stored = encoded.map((p) => Buffer.from(p.data!).toString('latin1') + Buffer.from(p.data!).toString('base64')).join();
    expect(stored).not.toContain(SECRET);
    expect(stored).not.toContain(Buffer.from(SECRET).toString('base64'));
    expect(stored).not.toContain('json/plain');
    const decoded = await codec.decode(encoded);
    expect(decoded.map((p) => defaultPayloadConverter.fromPayload(p))).toEqual([{ question: SECRET }, null, 'x'.repeat(10_000)]);
  });

  it('uses a fresh IV per payload: the same value twice gives two ciphertexts', async () => {
    const [one, two] = await codecWith(`a:${keyA}`).encode([plain(SECRET), plain(SECRET)]);
    expect(Buffer.from(one!.data!).equals(Buffer.from(two!.data!))).toBe(false);
  });

  it('passes payloads written before the codec through unchanged, and does not encrypt twice', async () => {
    const codec = codecWith(`a:${keyA}`);
    const old = plain({ question: SECRET });
    expect(await codec.decode([old])).toEqual([old]);
    const [encrypted] = await codec.encode([old]);
    expect(await codec.encode([encrypted!])).toEqual([encrypted]);
  });

  it('names an unknown key id', async () => {
    const [encrypted] = await codecWith(`gone:${keyA}`).encode([plain(SECRET)]);
    const reader = codecWith(`b:${keyB}`);
    await expect(reader.decode([encrypted!])).rejects.toThrow(new PayloadDecryptionError('unknown_key', "The payload was encrypted with key 'gone', which is not in the keyring (WEFT_PAYLOAD_KEYS)"));
  });

  it('refuses a tampered ciphertext, a cut one, and another key under the same id', async () => {
    const codec = codecWith(`a:${keyA}`);
    const [encrypted] = await codec.encode([plain(SECRET)]);
    for (const at of [0, 13, encrypted!.data!.length - 1]) {
      const data = Buffer.from(encrypted!.data!);
      data[at] = data[at]! ^ 1;
      await expect(codec.decode([{ ...encrypted!, data }])).rejects.toMatchObject({ reason: 'unreadable' });
    }
    await expect(codec.decode([{ ...encrypted!, data: Buffer.alloc(10) }])).rejects.toMatchObject({ reason: 'unreadable' });
    await expect(codecWith(`a:${keyB}`).decode([encrypted!])).rejects.toThrow(/does not decrypt/);
  });

  it('rotates: encrypts with the chosen key, decrypts with every key of the ring', async () => {
    const [underA] = await codecWith(`a:${keyA}`).encode([plain('old')]);
    const rotated = codecWith(`a:${keyA},b:${keyB}`, 'b');
    const [underB] = await rotated.encode([plain('new')]);
    expect(text(underB!.metadata![KEY_ID_METADATA])).toBe('b');
    expect((await rotated.decode([underA!, underB!])).map((p) => defaultPayloadConverter.fromPayload(p))).toEqual(['old', 'new']);
  });
});

describe('the payload keyring', () => {
  it('derives its default key from WEFT_ENCRYPTION_KEY, apart from it, and keeps it for reading once keys are set', () => {
    const derived = derivedPayloadKey(ROOT);
    expect(derived.id).toMatch(/^derived-[0-9a-f]{12}$/);
    expect(derived.key.equals(Buffer.from(ROOT, 'hex'))).toBe(false);
    expect(derivedPayloadKey(ROOT)).toEqual(derived);
    expect(derivedPayloadKey('cd'.repeat(32)).id).not.toBe(derived.id);
    expect(parsePayloadKeyring({ encryptionKey: ROOT })).toEqual({ encryptWith: derived.id, keys: new Map([[derived.id, derived.key]]) });
    const set = parsePayloadKeyring({ keys: `a:${keyA}, b:${keyB}`, encryptionKey: ROOT });
    expect(set.encryptWith).toBe('b');
    expect([...set.keys.keys()]).toEqual([derived.id, 'a', 'b']);
  });

  it('says plainly what is wrong with a setting', () => {
    const problem = (keys: string, keyId?: string) => payloadKeysProblem({ WEFT_PAYLOAD_KEYS: keys, WEFT_PAYLOAD_KEY_ID: keyId, WEFT_ENCRYPTION_KEY: ROOT });
    expect(problem(`a:${keyA}`)).toBeUndefined();
    expect(problem('a:abcd')).toBe("WEFT_PAYLOAD_KEYS: key 'a' must be 32 bytes, as 64 hex characters or base64");
    expect(problem(keyA)).toMatch(/each entry is <id>:<key>/);
    expect(problem(`a:${keyA},a:${keyB}`)).toBe("WEFT_PAYLOAD_KEYS: key id 'a' is listed twice");
    expect(problem(`a:${keyA}`, 'b')).toBe("WEFT_PAYLOAD_KEY_ID: 'b' is not a key of WEFT_PAYLOAD_KEYS");
    expect(() => parsePayloadKeyring({ keys: 'x:y', encryptionKey: ROOT })).toThrow(PayloadKeyringError);
    expect(payloadKeysProblem({ WEFT_ENCRYPTION_KEY: 'short' })).toMatch(/WEFT_ENCRYPTION_KEY must be 32 bytes/);
  });

  it('gives the data converter one codec, built from an app config', () => {
    expect(payloadDataConverter({ WEFT_ENCRYPTION_KEY: ROOT }).payloadCodecs).toHaveLength(1);
  });
});
