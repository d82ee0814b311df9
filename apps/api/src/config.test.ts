import { loadApiConfig } from './config';

const KEY = { WEFT_ENCRYPTION_KEY: 'ab'.repeat(32) };

describe('API config: encrypted history (README "Encrypted history")', () => {
  it('has no codec token by default (the endpoint refuses everyone), and reads an empty one as none', () => {
    expect(loadApiConfig(KEY).WEFT_CODEC_TOKEN).toBeUndefined();
    expect(loadApiConfig({ ...KEY, WEFT_CODEC_TOKEN: '' }).WEFT_CODEC_TOKEN).toBeUndefined();
    expect(loadApiConfig({ ...KEY, WEFT_CODEC_TOKEN: 't'.repeat(32) }).WEFT_CODEC_TOKEN).toBe('t'.repeat(32));
    expect(() => loadApiConfig({ ...KEY, WEFT_CODEC_TOKEN: 'short' })).toThrow('Invalid API configuration: WEFT_CODEC_TOKEN: WEFT_CODEC_TOKEN must be at least 32 characters');
  });

  it('refuses payload keys the codec could not use, at start-up', () => {
    expect(() => loadApiConfig({ ...KEY, WEFT_PAYLOAD_KEYS: 'a:b' })).toThrow("Invalid API configuration: WEFT_PAYLOAD_KEYS: key 'a' must be 32 bytes, as 64 hex characters or base64");
    expect(loadApiConfig({ ...KEY, WEFT_PAYLOAD_KEYS: `old:${'cd'.repeat(32)},new:${Buffer.alloc(32, 7).toString('base64')}` }).WEFT_PAYLOAD_KEYS).toContain('new:');
  });
});
