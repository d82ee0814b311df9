import type { DocumentFormat } from '@weft/domain';
import { cleanText } from './clean-text';
import { parseCsv } from './csv.parser';
import { parseDocx } from './docx.parser';
import { DocumentProblem, detailOf, type RawDocument } from './document-problem';
import { htmlToText } from './html.parser';
import { parseJson } from './json.parser';
import { parsePdf } from './pdf.parser';
import { decodeText } from './text-decode';
import { parsePlainText } from './text.parser';

/**
 * Parses and cleans one document (in the parse thread). Throws DocumentProblem for what is wrong
 * with the document; anything else a library throws means the same to the user (it could not be
 * read) and keeps its own words for the log only.
 */
export async function parseAndClean(bytes: Uint8Array, format: DocumentFormat, maxChars: number): Promise<RawDocument> {
  let raw: RawDocument;
  try {
    raw = await parseFormat(bytes, format, maxChars);
  } catch (err) {
    if (err instanceof DocumentProblem) throw err;
    if (err instanceof RangeError) throw new DocumentProblem('unreadable', 'it needs more memory than a document may use', detailOf(err));
    throw new DocumentProblem('unreadable', 'it could not be parsed', detailOf(err));
  }
  const text = cleanText(raw.text);
  const title = raw.title ? cleanText(raw.title).replace(/\n+/g, ' ') : '';
  return { text, ...(title ? { title } : {}) };
}

function parseFormat(bytes: Uint8Array, format: DocumentFormat, maxChars: number): RawDocument | Promise<RawDocument> {
  switch (format) {
    case 'txt':
      return parsePlainText(bytes, false);
    case 'md':
      return parsePlainText(bytes, true);
    case 'html':
      return htmlToText(decodeText(bytes), maxChars);
    case 'json':
      return parseJson(bytes, maxChars);
    case 'csv':
      return parseCsv(bytes, maxChars);
    case 'pdf':
      return parsePdf(bytes, maxChars);
    case 'docx':
      return parseDocx(bytes, maxChars);
  }
}
