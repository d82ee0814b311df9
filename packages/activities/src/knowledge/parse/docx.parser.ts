import { DocumentProblem, detailOf, type RawDocument } from './document-problem';
import { htmlToText } from './html.parser';

interface Mammoth {
  convertToHtml(input: { buffer: Buffer }, options: Record<string, unknown>): Promise<{ value: string }>;
  images: { imgElement(f: () => Promise<{ src: string }>): unknown };
}

/**
 * A Word document through mammoth, which turns its styles into HTML headings, lists and tables;
 * that HTML then goes through the same conversion as an HTML document, so `#` headings survive
 * for the markdown splitter. Images are not read at all (their bytes never leave the zip).
 */
export async function parseDocx(bytes: Uint8Array, maxChars: number): Promise<RawDocument> {
  // Loaded on the first DOCX only (mammoth and its zip and XML libraries are large).
  const mammoth = (await import('mammoth')) as unknown as Mammoth & { default?: Mammoth };
  const lib = mammoth.default ?? mammoth;
  let html: string;
  try {
    const result = await lib.convertToHtml(
      { buffer: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) },
      { convertImage: lib.images.imgElement(async () => ({ src: '' })), ignoreEmptyParagraphs: true },
    );
    html = result.value;
  } catch (err) {
    throw new DocumentProblem('unreadable', 'it is damaged or not a Word (.docx) document', detailOf(err));
  }
  return htmlToText(html, maxChars);
}
