export interface DeltaBatchOptions {
  /** send as soon as this many characters are waiting */
  maxChars?: number;
  /** or when the oldest waiting piece is this old */
  maxDelayMs?: number;
}

/**
 * Gathers streamed pieces of text into batches so a token is not one Redis XADD each, and sends
 * them in order, one at a time. Sending is best effort: the full text is in the node's outputs,
 * so a failed send is reported (once) and the stream goes on.
 */
export class DeltaBatcher {
  private buffer = '';
  private timer: NodeJS.Timeout | undefined;
  private chain: Promise<void> = Promise.resolve();
  private readonly maxChars: number;
  private readonly maxDelayMs: number;
  private failed = false;

  constructor(
    private readonly send: (text: string) => Promise<unknown>,
    private readonly onError: (err: unknown) => void,
    options: DeltaBatchOptions = {},
  ) {
    this.maxChars = options.maxChars ?? 256;
    this.maxDelayMs = options.maxDelayMs ?? 100;
  }

  push(text: string): void {
    this.buffer += text;
    if (this.buffer.length >= this.maxChars) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.maxDelayMs);
  }

  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.buffer) return;
    const text = this.buffer;
    this.buffer = '';
    this.chain = this.chain
      .then(() => this.send(text))
      .then(
        () => undefined,
        (err: unknown) => {
          if (!this.failed) this.onError(err);
          this.failed = true;
        },
      );
  }

  /** Sends what is left and waits until every batch has been sent. */
  async close(): Promise<void> {
    this.flush();
    await this.chain;
  }
}
