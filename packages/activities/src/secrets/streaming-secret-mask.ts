const MASK = '[secret]';

/**
 * Masks secret values in text that arrives in pieces (an LLM's streamed deltas), where a secret may
 * be split across two or more pieces. Text is let through only once it can no longer be the start
 * of a secret: the last (longest secret − 1) characters are held back until more text arrives or
 * the stream ends. Every complete occurrence is replaced by `[secret]`, as `scrub` does for whole
 * texts, so the pieces put together read like the masked whole text.
 */
export class StreamingSecretMask {
  private readonly secrets: string[];
  private readonly hold: number;
  private pending = '';

  constructor(secrets: readonly string[]) {
    // Longest first: where one secret starts with another, the longer one is masked whole.
    this.secrets = [...new Set(secrets.filter((s) => s.length > 0))].sort((a, b) => b.length - a.length);
    this.hold = this.secrets.length ? this.secrets[0]!.length - 1 : 0;
  }

  /** Takes the next piece; returns the text that is safe to publish now (maybe empty). */
  push(piece: string): string {
    if (!this.secrets.length) return piece;
    this.pending += piece;
    return this.release(Math.max(0, this.pending.length - this.hold));
  }

  /** The stream ended: returns the rest, masked. */
  end(): string {
    const rest = this.secrets.length ? this.release(this.pending.length) : '';
    this.pending = '';
    return rest;
  }

  /**
   * Masks and returns the pending text up to `safe` (and past it, to the end of a secret that
   * starts before it); keeps the rest. A secret starting before `safe` is wholly inside the
   * pending text, since `safe` is at least the longest secret's length minus one from its end.
   */
  private release(safe: number): string {
    let out = '';
    let at = 0;
    for (;;) {
      const found = this.nextSecret(at);
      if (!found || found.index >= safe) break;
      out += this.pending.slice(at, found.index) + MASK;
      at = found.index + found.length;
    }
    const cut = Math.max(at, safe);
    out += this.pending.slice(at, cut);
    this.pending = this.pending.slice(cut);
    return out;
  }

  private nextSecret(from: number): { index: number; length: number } | undefined {
    let best: { index: number; length: number } | undefined;
    for (const s of this.secrets) {
      const index = this.pending.indexOf(s, from);
      // Longest first, so only a strictly earlier match of a shorter secret wins.
      if (index >= 0 && (!best || index < best.index)) best = { index, length: s.length };
    }
    return best;
  }
}
