import type { SegmentBudget } from './segment-budget';

export interface TextPiece {
  text: string;
  /** offset of the piece's first character in the text that was cut */
  start: number;
}

const SENTENCE_ENDS = new Set(['.', '!', '?', ';', '。', '！', '？', '；']);

function isSpace(c: string | undefined): boolean {
  return c === ' ' || c === '\n' || c === '\t';
}

/**
 * Cuts text into pieces of at most `size` characters, each starting `overlap` characters before
 * the previous one ended (at most half of the previous piece). A piece ends at the last paragraph
 * break of its second half if there is one, else at the last sentence end, else at the last space,
 * else at `size` exactly; an overlap starts at a word's beginning. Each piece scans at most `size`
 * characters and the next starts at least a quarter of `size` further, so the cost is linear in
 * the text whatever it holds; the budget stops a text that would make too many pieces.
 */
export function cutText(text: string, size: number, overlap: number, budget: SegmentBudget): TextPiece[] {
  const pieces: TextPiece[] = [];
  let start = skipSpaces(text, 0);
  while (start < text.length) {
    let end = Math.min(start + size, text.length);
    if (end < text.length) end = breakPoint(text, start + Math.floor(size / 2), end);
    const piece = text.slice(start, end).trimEnd();
    if (piece) {
      budget.take();
      pieces.push({ text: piece, start });
    }
    if (end >= text.length) break;
    // At most half of a piece is repeated, so a piece cut short at a boundary still moves on by a quarter of `size`.
    const repeat = Math.min(overlap, Math.floor((end - start) / 2));
    const next = repeat > 0 ? wordStart(text, end - repeat, end) : end;
    start = skipSpaces(text, next);
  }
  return pieces;
}

/** Where to end a piece that may end anywhere in [lowest, end]: the best boundary closest to `end`. */
function breakPoint(text: string, lowest: number, end: number): number {
  let sentence = -1;
  let word = -1;
  for (let i = end; i > lowest; i--) {
    const last = text[i - 1];
    if (last === '\n' && text[i - 2] === '\n') return i;
    if (sentence < 0 && (last === '\n' || (SENTENCE_ENDS.has(last!) && (i === text.length || isSpace(text[i]))))) sentence = i;
    if (word < 0 && isSpace(text[i])) word = i;
  }
  return sentence > 0 ? sentence : word > 0 ? word : end;
}

/** The first word start at or after `from` (and before `limit`), or `from` if none. */
function wordStart(text: string, from: number, limit: number): number {
  if (from === 0 || isSpace(text[from - 1])) return from;
  for (let i = from; i < limit; i++) if (isSpace(text[i])) return i + 1;
  return from;
}

function skipSpaces(text: string, from: number): number {
  let i = from;
  while (i < text.length && isSpace(text[i])) i++;
  return i;
}
