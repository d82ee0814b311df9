/**
 * The benchmark's corpus: documents in every format, generated from a seed so that each run (and
 * each round) indexes the same bytes. Each document's words are drawn from a vocabulary of made-up
 * words, so the texts differ (no two share a checksum, and the embedding cache starts cold for a
 * new tenant) while their sizes stay alike.
 */
import type { DocumentFormat } from '@weft/domain';
import { sampleDocx, samplePdf } from '../test/support/document-samples';

export interface CorpusDocument {
  name: string;
  format: DocumentFormat;
  content: Buffer;
}

/** One in this many documents is a PDF, and as many are DOCX; the rest cycle through the text formats. */
const OFFICE_EVERY = 50;
const TEXT_FORMATS = ['txt', 'md', 'html', 'json', 'csv'] as const;

/** mulberry32: a small seeded generator (the corpus must not change between runs). */
function generator(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SYLLABLES = ['ka', 'lo', 'mi', 'ren', 'tu', 'sa', 'vel', 'dor', 'ni', 'qua', 'bel', 'zon', 'fi', 'gar', 'hu', 'pra', 'tes', 'mon', 'ly', 'cor'];

export async function makeCorpus(count: number, seed = 10): Promise<CorpusDocument[]> {
  const random = generator(seed);
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
  const vocabulary = Array.from({ length: 3000 }, () => Array.from({ length: 2 + Math.floor(random() * 3) }, () => pick(SYLLABLES)).join(''));
  const sentence = () => {
    const words = Array.from({ length: 6 + Math.floor(random() * 12) }, () => pick(vocabulary));
    return `${words[0]!.charAt(0).toUpperCase()}${words.join(' ').slice(1)}.`;
  };
  const paragraph = () => Array.from({ length: 3 + Math.floor(random() * 4) }, sentence).join(' ');
  const paragraphs = () => Array.from({ length: 4 + Math.floor(random() * 5) }, paragraph);

  const docs: CorpusDocument[] = [];
  for (let i = 0; i < count; i++) {
    const format: DocumentFormat = i % OFFICE_EVERY === 0 ? 'pdf' : i % OFFICE_EVERY === 1 ? 'docx' : TEXT_FORMATS[i % TEXT_FORMATS.length]!;
    const title = `Document ${i} ${pick(vocabulary)}`;
    const body = paragraphs();
    docs.push({ name: `doc-${String(i).padStart(5, '0')}.${format}`, format, content: await render(format, title, body, pick) });
  }
  return docs;
}

async function render(format: DocumentFormat, title: string, body: string[], pick: <T>(items: readonly T[]) => T): Promise<Buffer> {
  switch (format) {
    case 'txt':
      return Buffer.from(`${title}\n\n${body.join('\n\n')}\n`);
    case 'md':
      return Buffer.from(`# ${title}\n\n${body.map((p, i) => (i % 2 === 0 ? `## Part ${i / 2 + 1}\n\n${p}` : p)).join('\n\n')}\n`);
    case 'html':
      return Buffer.from(`<!doctype html><html><head><title>${title}</title><style>p{margin:0}</style></head><body><h1>${title}</h1>${body.map((p) => `<p>${p}</p>`).join('\n')}</body></html>`);
    case 'json':
      return Buffer.from(JSON.stringify({ title, sections: body.map((text, i) => ({ id: i, heading: `Part ${i + 1}`, text })) }, null, 2));
    case 'csv': {
      const rows = body.flatMap((p) => p.split('. ')).map((s, i) => `${i},${pick(['open', 'closed', 'draft'])},"${s.replace(/"/g, '""')}"`);
      return Buffer.from(`id,status,note\n${rows.join('\n')}\n`);
    }
    case 'pdf':
      // A page per paragraph, wrapped at ~90 characters (pdf-lib draws a line as given).
      return samplePdf(body.map((p) => p.match(/.{1,90}(\s|$)/g)!.join('\n')), title);
    case 'docx':
      return sampleDocx([{ text: title, heading: 1 }, ...body.map((text) => ({ text }))]);
  }
}
