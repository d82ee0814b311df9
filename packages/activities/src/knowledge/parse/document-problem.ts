/** What a parser returns: the text before cleaning, and the title it found, if any. */
export interface RawDocument {
  text: string;
  title?: string;
}

/**
 * What a parser found wrong with a document, in words a user can act on. Parsers throw it from
 * inside the parse thread; the parser pool turns it into the catalogue's document_* failures.
 * A library's own error never reaches a user: its message goes along as `detail`, for the log.
 */
export class DocumentProblem extends Error {
  constructor(
    readonly kind: 'unreadable' | 'too_large',
    readonly reason: string,
    readonly detail?: string,
  ) {
    super(reason);
    this.name = 'DocumentProblem';
  }
}

/** The message of something thrown, for the log only. */
export function detailOf(err: unknown): string {
  return (err instanceof Error ? `${err.name}: ${err.message}` : String(err)).slice(0, 500);
}

/**
 * Text collected piece by piece that refuses to grow past a bound: a small file can expand to
 * far more text (a compressed PDF stream, a zip), and the bound is checked as it grows rather
 * than after everything is held in memory.
 */
export class BoundedText {
  private readonly parts: string[] = [];
  private length = 0;

  constructor(private readonly maxChars: number) {}

  push(piece: string): void {
    if (!piece) return;
    this.length += piece.length;
    if (this.length > this.maxChars) {
      throw new DocumentProblem('too_large', `its text is longer than ${this.maxChars.toLocaleString('en-US')} characters`);
    }
    this.parts.push(piece);
  }

  get size(): number {
    return this.length;
  }

  toString(): string {
    return this.parts.join('');
  }
}
