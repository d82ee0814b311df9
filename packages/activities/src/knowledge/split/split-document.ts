import { KNOWLEDGE_LIMITS, type ChunkingSettings, type DocumentFormat } from '@weft/domain';
import { NodeFailure } from '../../errors/node-failure';
import { estimateTokens } from '../../llm/token-estimate';
import type { SegmentDraft, SplitDocument } from '../document-pipeline.types';
import { markdownSections } from './markdown.splitter';
import { paragraphPieces } from './paragraph.splitter';
import { SegmentBudget } from './segment-budget';
import { cutText } from './text-cut';

/** The smallest child piece of the parent-child strategy when childSize is not given. */
const MIN_CHILD_SIZE = 20;

/**
 * Splits a document's clean text by its knowledge's strategy. Deterministic (the same text and
 * settings give the same segments, so a re-index finds its embeddings in the cache) and linear in
 * the text; more than KNOWLEDGE_LIMITS.maxSegmentsPerDocument segments fail with document_too_large.
 * The format is not consulted: parsing already turned every format into text whose headings, if
 * any, are Markdown's.
 */
export const splitDocument: SplitDocument = (text: string, chunking: ChunkingSettings, _format: DocumentFormat) => {
  const segments = splitText(text, chunking, new SegmentBudget(KNOWLEDGE_LIMITS.maxSegmentsPerDocument));
  checkStoredChars(text.length, segments);
  return segments;
};

/**
 * Characters a document's segments may store (their text and context, written to PostgreSQL),
 * per character of the document: overlaps repeat some text, and parent-child repeats a parent in
 * each of its children, which with a tiny childSize under a large size would turn a 300 KB upload
 * into more than 100 million stored characters. The floor keeps a short document from ever being
 * refused for its ratio.
 */
export const MAX_STORED_CHARS_RATIO = 32;
const STORED_CHARS_FLOOR = 1_000_000;

function checkStoredChars(textLength: number, segments: readonly SegmentDraft[]): void {
  const limit = Math.max(STORED_CHARS_FLOOR, textLength * MAX_STORED_CHARS_RATIO);
  let stored = 0;
  for (const s of segments) stored += s.text.length + (s.context?.length ?? 0);
  if (stored > limit) {
    // The template's {name} is left to the caller's context, as SegmentBudget does.
    throw new NodeFailure(
      'document_too_large',
      `The document is too large for its knowledge's chunking: its segments would store ${stored.toLocaleString('en-US')} characters, more than ${MAX_STORED_CHARS_RATIO} times its text (a childSize nearer to size stores less)`,
    );
  }
}

export function splitText(text: string, chunking: ChunkingSettings, budget: SegmentBudget): SegmentDraft[] {
  const { size, overlap } = chunking;
  switch (chunking.strategy) {
    case 'fixed':
      return drafts(cutText(text, size, overlap, budget).map((p) => ({ text: p.text })));
    case 'paragraph':
      return drafts(paragraphPieces(text, size, overlap, budget).map((p) => ({ text: p })));
    case 'markdown':
      return drafts(markdownSections(text, size, overlap, budget).map((s) => ({ text: s.text, ...(s.headings.length > 0 ? { metadata: { headings: s.headings } } : {}) })));
    case 'parent-child':
      return parentChild(text, chunking, budget);
  }
}

/**
 * Parents are paragraphs merged up to `size` (what retrieval returns); children are cut from each
 * parent at `childSize` (what is embedded and matched), with the overlap scaled down in the same
 * ratio. A parent no longer than a child is its own only child.
 */
function parentChild(text: string, chunking: ChunkingSettings, budget: SegmentBudget): SegmentDraft[] {
  const { size, overlap } = chunking;
  const childSize = chunking.childSize ?? Math.max(MIN_CHILD_SIZE, Math.floor(size / 4));
  const childOverlap = Math.floor((overlap * childSize) / size);
  // Parents are not segments of their own: only the children count against the limit.
  const parents = paragraphPieces(text, size, overlap, new SegmentBudget(Number.MAX_SAFE_INTEGER));
  const pieces: Array<Omit<SegmentDraft, 'position' | 'tokenCount'>> = [];
  parents.forEach((parent, parentIndex) => {
    if (parent.length <= childSize) {
      budget.take();
      pieces.push({ text: parent, metadata: { parent: parentIndex } });
      return;
    }
    for (const child of cutText(parent, childSize, childOverlap, budget)) pieces.push({ text: child.text, context: parent, metadata: { parent: parentIndex } });
  });
  return drafts(pieces);
}

function drafts(pieces: Array<Omit<SegmentDraft, 'position' | 'tokenCount'>>): SegmentDraft[] {
  return pieces.map((p, position) => ({ position, ...p, tokenCount: estimateTokens(p.text) }));
}
