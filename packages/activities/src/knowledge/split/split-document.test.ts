import { KNOWLEDGE_LIMITS, type ChunkingSettings } from '@weft/domain';
import { NodeFailure } from '../../errors/node-failure';
import { estimateTokens } from '../../llm/token-estimate';
import { MAX_STORED_CHARS_RATIO, splitDocument } from './split-document';

const split = (text: string, chunking: Partial<ChunkingSettings> & Pick<ChunkingSettings, 'strategy'>) =>
  splitDocument(text, { size: 1000, overlap: 100, ...chunking }, 'txt');

/** Sentences of 40 to 60 characters, numbered so that any piece says where it came from. */
function sentences(n: number): string {
  return Array.from({ length: n }, (_, i) => `Sentence ${i} says ${'something '.repeat(3 + (i % 3))}here.`).join(' ');
}

describe('every strategy', () => {
  it('numbers segments from 0, counts their tokens, and gives the same segments for the same text', () => {
    const text = `# Title\n\n${sentences(60)}\n\n## Part\n\n${sentences(40)}`;
    for (const strategy of ['fixed', 'paragraph', 'markdown', 'parent-child'] as const) {
      const segments = split(text, { strategy, size: 300, overlap: 40 });
      expect(segments.length).toBeGreaterThan(5);
      segments.forEach((s, i) => {
        expect(s.position).toBe(i);
        expect(s.tokenCount).toBe(estimateTokens(s.text));
        expect(s.text).toBe(s.text.trim());
        expect(s.text.length).toBeGreaterThan(0);
      });
      expect(split(text, { strategy, size: 300, overlap: 40 })).toEqual(segments);
    }
  });

  it('more segments than a document may have is document_too_large, found before the rest is cut', () => {
    const words = 'word '.repeat(KNOWLEDGE_LIMITS.maxSegmentsPerDocument * 12);
    let err: unknown;
    try {
      split(words, { strategy: 'fixed', size: 50, overlap: 0 });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(NodeFailure);
    expect((err as NodeFailure).code).toBe('document_too_large');
    expect((err as NodeFailure).message).toBe('The document is too large: it splits into more than 20,000 segments');
  });
});

describe('stored size', () => {
  it('a chunking that would store far more than the text (tiny children of large parents) is document_too_large, while the defaults pass', async () => {
    const paragraph = sentences(160); // about 8,000 characters: one parent of size 8000
    const text = Array.from({ length: 10 }, () => paragraph).join('\n\n');
    let err: unknown;
    try {
      split(text, { strategy: 'parent-child', size: 8000, overlap: 0, childSize: 20 });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(NodeFailure);
    expect((err as NodeFailure).code).toBe('document_too_large');
    expect((err as NodeFailure).message).toContain(`more than ${MAX_STORED_CHARS_RATIO} times its text`);
    // The same text with the strategy's default children, and with the largest overlap fixed allows, is split.
    const stored = (segments: ReturnType<typeof split>) => segments.reduce((n, s) => n + s.text.length + (s.context?.length ?? 0), 0);
    expect(stored(split(text, { strategy: 'parent-child', size: 8000, overlap: 0 }))).toBeLessThan(text.length * 8);
    expect(stored(split(text, { strategy: 'fixed', size: 50, overlap: 49 }))).toBeLessThan(text.length * 3);
  });
});

describe('fixed', () => {
  it('cuts at sentence ends within size, each piece starting with an overlap taken at a word start', () => {
    const text = sentences(100);
    const segments = split(text, { strategy: 'fixed', size: 400, overlap: 80 });
    for (const [i, s] of segments.entries()) {
      expect(s.text.length).toBeLessThanOrEqual(400);
      if (i < segments.length - 1) {
        expect(s.text.length).toBeGreaterThanOrEqual(200);
        expect(s.text.endsWith('here.')).toBe(true);
      }
      expect(text.includes(s.text)).toBe(true);
      if (i > 0) {
        // The piece starts inside the previous one (the overlap), at a word's beginning.
        const previous = segments[i - 1]!.text;
        const head = s.text.slice(0, 20);
        expect(previous.includes(head)).toBe(true);
        const at = text.indexOf(s.text);
        expect(text[at - 1]).toBe(' ');
        expect(text.indexOf(previous) + previous.length - at).toBeLessThanOrEqual(80);
      }
    }
    // Nothing is lost: the pieces cover the text from its start to its end.
    expect(text.startsWith(segments[0]!.text)).toBe(true);
    expect(text.endsWith(segments.at(-1)!.text)).toBe(true);
  });

  it('without overlap the pieces join back into the text; a text with no spaces is cut at size', () => {
    const text = sentences(50);
    expect(split(text, { strategy: 'fixed', size: 300, overlap: 0 }).map((s) => s.text).join(' ')).toBe(text);
    const blob = 'x'.repeat(1050);
    expect(split(blob, { strategy: 'fixed', size: 500, overlap: 0 }).map((s) => s.text.length)).toEqual([500, 500, 50]);
    expect(split('short', { strategy: 'fixed' })).toEqual([{ position: 0, text: 'short', tokenCount: 2 }]);
  });

  it('prefers a paragraph break in the second half of a piece to a later sentence end', () => {
    const first = sentences(4);
    const text = `${first}\n\n${sentences(8)}`;
    const [segment] = split(text, { strategy: 'fixed', size: first.length + 100, overlap: 0 });
    expect(segment!.text).toBe(first);
  });
});

describe('paragraph', () => {
  it('merges whole paragraphs up to size and cuts a longer paragraph as fixed does', () => {
    const short = ['Alpha one.', 'Beta two.', 'Gamma three.', 'Delta four.'];
    const long = sentences(20);
    const text = `${short.join('\n\n')}\n\n${long}\n\nOmega last.`;
    const segments = split(text, { strategy: 'paragraph', size: 30, overlap: 0 });
    expect(segments.slice(0, 2).map((s) => s.text)).toEqual(['Alpha one.\n\nBeta two.', 'Gamma three.\n\nDelta four.']);
    const cut = segments.slice(2, -1).map((s) => s.text);
    expect(cut.join(' ')).toBe(long);
    expect(cut.every((t) => t.length <= 30)).toBe(true);
    expect(segments.at(-1)!.text).toBe('Omega last.');
  });
});

describe('markdown', () => {
  it('gives one segment per section with its heading path, skips heading-only sections and cuts long ones', () => {
    const body = sentences(30);
    const text = [
      'Preamble before any heading.',
      '# Guide',
      '## Install',
      'Run the installer.',
      '```sh\n# not a heading, a comment\nnpm ci\n```',
      '### Linux',
      'Use the tarball.',
      '## Use',
      body,
      '# Appendix #',
      'The end.',
    ].join('\n\n');
    const segments = split(text, { strategy: 'markdown', size: 400, overlap: 50 });
    expect(segments[0]).toMatchObject({ text: 'Preamble before any heading.' });
    expect(segments[0]!.metadata).toBeUndefined();
    expect(segments[1]).toMatchObject({
      text: '## Install\n\nRun the installer.\n\n```sh\n# not a heading, a comment\nnpm ci\n```',
      metadata: { headings: ['Guide', 'Install'] },
    });
    expect(segments[2]).toMatchObject({ text: '### Linux\n\nUse the tarball.', metadata: { headings: ['Guide', 'Install', 'Linux'] } });
    const use = segments.filter((s) => JSON.stringify(s.metadata) === JSON.stringify({ headings: ['Guide', 'Use'] }));
    expect(use.length).toBeGreaterThan(2);
    expect(use.every((s) => s.text.length <= 400)).toBe(true);
    expect(use[0]!.text.startsWith('## Use\n\nSentence 0 says')).toBe(true);
    expect(segments.at(-1)).toMatchObject({ text: '# Appendix #\n\nThe end.', metadata: { headings: ['Appendix'] } });
  });
});

describe('parent-child', () => {
  it('indexes children of childSize whose context is their parent paragraph group of size', () => {
    const paragraphs = Array.from({ length: 6 }, (_, i) => `Paragraph ${i}. ${sentences(4)}`);
    const text = paragraphs.join('\n\n');
    const segments = split(text, { strategy: 'parent-child', size: 600, overlap: 60, childSize: 120 });
    const parents = [...new Set(segments.map((s) => s.context ?? s.text))];
    expect(parents.length).toBeGreaterThan(1);
    for (const parent of parents) expect(parent.length).toBeLessThanOrEqual(600);
    for (const s of segments) {
      expect(s.text.length).toBeLessThanOrEqual(120);
      expect(s.context!.includes(s.text)).toBe(true);
      expect(parents.indexOf(s.context!)).toBe((s.metadata as { parent: number }).parent);
    }
    // Children of one parent overlap by at most 60 × 120 / 600 = 12 characters and cover it.
    const ofFirst = segments.filter((s) => (s.metadata as { parent: number }).parent === 0);
    expect(ofFirst.length).toBeGreaterThan(2);
    expect(parents[0]!.startsWith(ofFirst[0]!.text)).toBe(true);
    expect(parents[0]!.endsWith(ofFirst.at(-1)!.text)).toBe(true);
  });

  it('childSize defaults to a quarter of size; a parent no longer than a child is its own child, with no context', () => {
    const segments = split(`Tiny.\n\n\n${sentences(30)}`, { strategy: 'parent-child', size: 800, overlap: 0 });
    expect(segments[0]).toEqual({ position: 0, text: 'Tiny.', metadata: { parent: 0 }, tokenCount: 2 });
    expect(segments.slice(1).every((s) => s.text.length <= 200 && s.context !== undefined)).toBe(true);
  });
});
