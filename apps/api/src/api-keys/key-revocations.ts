import type { Redis } from 'ioredis';
import type { ApiKeyCache } from '../auth/api-key-cache';

const MARKER = (keyId: string) => `weft:api-key:revoked:${keyId}`;

/**
 * How a revocation reaches every API process at once, whatever each one has cached
 * (auth/api-key-cache.ts keeps a valid key for WEFT_API_KEY_CACHE_MS without reading PostgreSQL).
 *
 * After the revocation is committed, the revoking process sets a marker in Redis, before it
 * answers; every process reads the marker of a key it finds in its cache before trusting it (a key
 * not in the cache is read from PostgreSQL, which already says it is revoked). So the very next
 * request with the key fails in every process, and nothing has to be delivered to them.
 *
 * Why not (only) a pub/sub message to each process's `cache.invalidate`: a message is delivered
 * asynchronously, so the next request can reach another process before its message does, and a
 * message published while a subscriber is reconnecting is lost for good. The marker is read on the
 * request path instead: one Redis round trip per request with a cached key (the cache still saves
 * the PostgreSQL read it was made for). The marker lives longer than any cache entry can
 * (`ttlSeconds`), after which every process reads the key from PostgreSQL again.
 *
 * When Redis cannot be read, `isRevoked` says "unknown" and the caller reads PostgreSQL instead of
 * trusting the cache. When the marker cannot be set, the revocation (already committed) fails with
 * redis_unavailable (503): revoking again sets it (DELETE is idempotent), and at worst a process
 * keeps a key it had cached for WEFT_API_KEY_CACHE_MS.
 */
export class KeyRevocations {
  private readonly ttlSeconds: number;

  constructor(
    private readonly redis: Redis,
    /** this process's cache of valid keys (forgets a revoked key at once) */
    private readonly cache: ApiKeyCache,
    cacheMs: number,
  ) {
    this.ttlSeconds = Math.ceil(cacheMs / 1000) + 60;
  }

  /** After the revocation is committed: this process forgets the keys, and every process sees their markers. */
  async revoked(keyIds: readonly string[]): Promise<void> {
    for (const id of keyIds) this.cache.invalidate(id);
    await this.mark(keyIds);
  }

  private async mark(keyIds: readonly string[]): Promise<void> {
    if (keyIds.length === 0) return;
    const tx = this.redis.multi();
    for (const id of keyIds) tx.set(MARKER(id), '1', 'EX', this.ttlSeconds);
    const results = await tx.exec();
    const failed = results?.find(([err]) => err)?.[0];
    if (failed) throw failed;
  }

  /** true: revoked; false: not marked; undefined: Redis could not say. */
  async isRevoked(keyId: string): Promise<boolean | undefined> {
    try {
      return (await this.redis.exists(MARKER(keyId))) === 1;
    } catch {
      return undefined;
    }
  }
}
