import type { Logger, PrismaClient } from '@weft/activities';

/**
 * Records when each key was last used (ApiKey.lastUsedAt) without a database write per request:
 * at most once per `intervalMs` per key and process (WEFT_API_KEY_LAST_USED_INTERVAL_MS; 0: every
 * use), fire-and-forget, a failure logged and never felt by the request. The time is therefore
 * exact to within the interval.
 */
export class KeyUsage {
  private readonly written = new Map<string, number>();

  constructor(
    private readonly prisma: PrismaClient,
    private readonly logger: Logger,
    private readonly intervalMs: number,
    private readonly maxEntries = 10_000,
  ) {}

  /** Records a use; the write's promise (never rejected), or undefined when none was due. */
  used(keyId: string, at: Date): Promise<void> | undefined {
    const last = this.written.get(keyId);
    if (last !== undefined && at.getTime() - last < this.intervalMs) return undefined;
    if (this.written.size >= this.maxEntries) this.written.clear();
    this.written.set(keyId, at.getTime());
    // Never moves the time backwards (two processes, or writes finishing out of order).
    return this.prisma.apiKey
      .updateMany({ where: { id: keyId, OR: [{ lastUsedAt: null }, { lastUsedAt: { lt: at } }] }, data: { lastUsedAt: at } })
      .then(
        () => undefined,
        (err: unknown) => {
          this.logger.warn('could not record the last use of an API key', { keyId, message: err instanceof Error ? err.message : String(err) });
        },
      );
  }
}
