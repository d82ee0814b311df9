import type { Redis } from 'ioredis';

const PREFIX = 'weft:session-revoked:';

/**
 * Sessions (refresh token families) revoked before their access tokens expire: sign-out, a reused
 * refresh token, a password change. An access token carries its session (`sid`) and is checked
 * against this set on every request (auth.middleware.ts), one Redis GET; an entry lives as long as
 * an access token does, after which every token of the session has expired anyway.
 */
export class SessionRevocations {
  constructor(
    private readonly redis: Redis,
    private readonly accessTokenTtlSeconds: number,
  ) {}

  async revoke(sessionIds: readonly string[]): Promise<void> {
    if (sessionIds.length === 0) return;
    const pipeline = this.redis.multi();
    for (const sid of sessionIds) pipeline.set(PREFIX + sid, '1', 'EX', this.accessTokenTtlSeconds);
    await pipeline.exec();
  }

  async isRevoked(sessionId: string): Promise<boolean> {
    return (await this.redis.exists(PREFIX + sessionId)) === 1;
  }
}
