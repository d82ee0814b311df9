import { ApiKeyCache } from './api-key-cache';

const auth = (keyId: string) => ({ keyId, auth: { tenantId: 'tn_1', role: 'admin' as const, scopes: [], principal: { type: 'api_key' as const, id: keyId } } });

describe('ApiKeyCache', () => {
  it('remembers a key for its time to live, then forgets it', () => {
    let now = 1_000;
    const cache = new ApiKeyCache(5_000, 10, () => now);
    cache.set('h1', auth('key_1'));
    expect(cache.get('h1')).toEqual(auth('key_1'));
    now += 4_999;
    expect(cache.get('h1')).toEqual(auth('key_1'));
    now += 1;
    expect(cache.get('h1')).toBeUndefined();
  });

  it('forgets a key at once when it is invalidated (its revocation), by key id', () => {
    const cache = new ApiKeyCache(60_000);
    cache.set('h1', auth('key_1'));
    cache.set('h2', auth('key_2'));
    cache.invalidate('key_1');
    expect(cache.get('h1')).toBeUndefined();
    expect(cache.get('h2')).toEqual(auth('key_2'));
  });

  it('keeps nothing when its time to live is 0', () => {
    const cache = new ApiKeyCache(0);
    cache.set('h1', auth('key_1'));
    expect(cache.get('h1')).toBeUndefined();
  });

  it('is bounded: the oldest key goes first', () => {
    const cache = new ApiKeyCache(60_000, 2);
    cache.set('h1', auth('key_1'));
    cache.set('h2', auth('key_2'));
    cache.set('h3', auth('key_3'));
    expect(cache.get('h1')).toBeUndefined();
    expect(cache.get('h2')).toEqual(auth('key_2'));
    expect(cache.get('h3')).toEqual(auth('key_3'));
  });
});
