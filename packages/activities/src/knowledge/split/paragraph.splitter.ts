import type { SegmentBudget } from './segment-budget';
import { cutText } from './text-cut';

/**
 * Paragraphs (text between blank lines) merged in order while they fit in `size`; a paragraph
 * longer than `size` is cut as the fixed strategy cuts. Merged paragraphs do not overlap: their
 * boundaries are the document's own.
 */
export function paragraphPieces(text: string, size: number, overlap: number, budget: SegmentBudget): string[] {
  const pieces: string[] = [];
  let merged: string[] = [];
  let mergedLength = 0;
  const flush = () => {
    if (merged.length === 0) return;
    budget.take();
    pieces.push(merged.join('\n\n'));
    merged = [];
    mergedLength = 0;
  };
  for (const raw of text.split('\n\n')) {
    const paragraph = raw.trim();
    if (!paragraph) continue;
    if (paragraph.length > size) {
      flush();
      for (const piece of cutText(paragraph, size, overlap, budget)) pieces.push(piece.text);
      continue;
    }
    const grown = mergedLength + (merged.length > 0 ? 2 : 0) + paragraph.length;
    if (grown > size) flush();
    mergedLength += (merged.length > 0 ? 2 : 0) + paragraph.length;
    merged.push(paragraph);
  }
  flush();
  return pieces;
}
