import { deflateSync } from 'node:zlib';
import JSZip from 'jszip';
import { PDFDocument, PDFName, StandardFonts } from 'pdf-lib';

/**
 * Real PDF and DOCX files made on the spot (pdf-lib, and the three parts a Word document needs,
 * zipped by JSZip), so the parsers are tested on what a user's software writes, with no binary
 * fixture in the repository. Also the hostile kind: a PDF whose one content stream inflates a
 * thousandfold.
 */

/** A PDF with one page per entry, each line of an entry on a line of its own. */
export async function samplePdf(pages: string[], title?: string): Promise<Buffer> {
  const doc = await PDFDocument.create();
  if (title) doc.setTitle(title);
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (const text of pages) {
    const page = doc.addPage([612, 792]);
    text.split('\n').forEach((line, i) => page.drawText(line, { x: 50, y: 740 - i * 16, size: 11, font }));
  }
  return Buffer.from(await doc.save());
}

/**
 * A one-page PDF whose content stream is `inflatedBytes` of text-showing operators, deflated: a few
 * hundred kilobytes on disk, far more once read.
 */
export async function pdfBomb(inflatedBytes: number): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const page = doc.addPage([612, 792]);
  page.drawText('bomb', { x: 50, y: 700, size: 11, font });
  const op = Buffer.from('BT /F1 11 Tf 50 700 Td (aaaaaaaaaaaaaaaa) Tj ET\n');
  const body = Buffer.alloc(inflatedBytes);
  for (let i = 0; i + op.length <= inflatedBytes; i += op.length) op.copy(body, i);
  const stream = doc.context.stream(deflateSync(body, { level: 9 }), { Filter: 'FlateDecode' });
  page.node.set(PDFName.of('Contents'), doc.context.register(stream));
  return Buffer.from(await doc.save({ useObjectStreams: false }));
}

export interface DocxBlock {
  text: string;
  /** 1 to 6: a Word heading style */
  heading?: number;
}

const WORD_NS = 'http://schemas.openxmlformats.org/wordprocessingml/2006/main';

/** A Word document whose body is these paragraphs (headings with the built-in Heading styles). */
export async function sampleDocx(blocks: DocxBlock[]): Promise<Buffer> {
  const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const paragraphs = blocks
    .map((b) => `<w:p>${b.heading ? `<w:pPr><w:pStyle w:val="Heading${b.heading}"/></w:pPr>` : ''}<w:r><w:t xml:space="preserve">${escape(b.text)}</w:t></w:r></w:p>`)
    .join('');
  const zip = new JSZip();
  zip.file(
    '[Content_Types].xml',
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
      '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>' +
      '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
  );
  zip.file(
    '_rels/.rels',
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
      '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>',
  );
  zip.file('word/document.xml', `<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="${WORD_NS}"><w:body>${paragraphs}</w:body></w:document>`);
  return zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
}

/** A zip that is not a Word document (no word/document.xml). */
export async function zipThatIsNotDocx(): Promise<Buffer> {
  const zip = new JSZip();
  zip.file('notes.txt', 'just a zip');
  return zip.generateAsync({ type: 'nodebuffer' });
}
