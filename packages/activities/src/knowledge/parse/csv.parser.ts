import { CsvError, parse } from 'csv-parse/sync';
import { BoundedText, DocumentProblem, detailOf, type RawDocument } from './document-problem';
import { decodeText } from './text-decode';

/** Longest record csv-parse holds: an unclosed quote must not swallow a whole file into one field. */
const MAX_RECORD_CHARS = 1024 * 1024;

const PLAIN_REASONS: Record<string, string> = {
  CSV_QUOTE_NOT_CLOSED: 'a quoted field is never closed',
  CSV_INVALID_CLOSING_QUOTE: 'a quoted field has text after its closing quote',
  CSV_MAX_RECORD_SIZE: `a row is longer than ${MAX_RECORD_CHARS.toLocaleString('en-US')} characters`,
};

/**
 * CSV (and TSV) as one line per row, `header: value; header: value`, so that every value is
 * found with the column that says what it is. The first row is the header; empty cells are left
 * out; a row wider than the header names its extra cells `column N`.
 */
export function parseCsv(bytes: Uint8Array, maxChars: number): RawDocument {
  let rows: string[][];
  try {
    rows = parse(decodeText(bytes), {
      delimiter: [',', ';', '\t'],
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: true,
      trim: true,
      max_record_size: MAX_RECORD_CHARS,
    }) as string[][];
  } catch (err) {
    if (err instanceof DocumentProblem) throw err;
    const line = err instanceof CsvError && typeof err.lines === 'number' ? ` (line ${err.lines})` : '';
    const reason = err instanceof CsvError ? (PLAIN_REASONS[err.code] ?? 'it is not valid CSV') : 'it is not valid CSV';
    throw new DocumentProblem('unreadable', `${reason}${line}`, detailOf(err));
  }
  const [header = [], ...body] = rows;
  const out = new BoundedText(maxChars);
  if (body.length === 0) {
    out.push(header.filter(Boolean).join('; '));
    return { text: out.toString() };
  }
  for (const row of body) {
    const cells: string[] = [];
    row.forEach((value, i) => {
      if (value) cells.push(`${header[i] || `column ${i + 1}`}: ${value}`);
    });
    if (cells.length > 0) out.push(`${cells.join('; ')}\n`);
  }
  return { text: out.toString() };
}
