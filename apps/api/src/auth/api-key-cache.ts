import type { AuthContext } from './auth-context';

/** What a valid key authenticates as (the middleware's AuthContext), its id and when it expires (ms). */
export interface KeyAuth {
  auth: AuthContext;
  keyId: string;
  expiresAt?: number;
}

/**
 * API keys looked up recently, by the hash of the key, for `ttlMs` (WEFT_API_KEY_CACHE_MS): every
 * request carries a key, and reading it from PostgreSQL was one of the run path's round trips.
 * Only valid keys are kept (an unknown or revoked key is looked up each time), and the cache is
 * bounded (oldest entries go first).
 *
 * Revocation: the middleware reads a key's revocation marker in Redis before trusting its entry
 * here, so a revoked key stops at once in every process (api-keys/key-revocations.ts); the process
 * that revokes a key also calls `invalidate(keyId)`. `ttlMs` 0 turns the cache off.
 */
export class ApiKeyCache {
  private readonly entries = new Map<string, { key: KeyAuth; expiresAt: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  get(hash: string): KeyAuth | undefined {
    const hit = this.entries.get(hash);
    if (!hit) return undefined;
    if (hit.expiresAt <= this.now()) {
      this.entries.delete(hash);
      return undefined;
    }
    return hit.key;
  }

  set(hash: string, key: KeyAuth): void {
    if (this.ttlMs <= 0) return;
    this.entries.delete(hash);
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(hash, { key, expiresAt: this.now() + this.ttlMs });
  }

  /** Forgets a key at once (its revocation), by its id. */
  invalidate(keyId: string): void {
    for (const [hash, { key }] of this.entries) if (key.keyId === keyId) this.entries.delete(hash);
  }

  clear(): void {
    this.entries.clear();
  }
}
