import { DocumentProblem } from './document-problem';

/** Bytes looked at to tell text from binary: enough for any header, cheap on a 15 MB file. */
const SNIFF_BYTES = 64 * 1024;
/** Control characters (NUL included; not tab, newlines, form feed) a text may hold before it is called binary. */
const MAX_CONTROL_RATIO = 0.05;
const MIN_CONTROLS = 3;

/**
 * The text of a file that should be text: UTF-8 (its BOM dropped), UTF-16 when it starts with a
 * BOM, otherwise Windows-1252 when the bytes are not UTF-8 but look like text (old exports). A file
 * whose start is more than a few percent NUL bytes and other control characters is binary (an
 * image or an archive named .txt) and is refused rather than indexed as noise; a stray NUL in a
 * text is removed by cleaning.
 */
export function decodeText(bytes: Uint8Array): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes.subarray(2));
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes.subarray(2));
  const body = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? bytes.subarray(3) : bytes;
  if (looksBinary(body)) throw new DocumentProblem('unreadable', 'it holds binary data, not text');
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    return decodeWindows1252(body);
  }
}

/** What Windows-1252 puts at 0x80–0x9F, where ISO-8859-1 has control characters (undefined bytes stay as they are). */
const CP1252_HIGH = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ';

/** Node's TextDecoder decodes 'windows-1252' as ISO-8859-1, so its 0x80–0x9F (€, curly quotes) are mapped here. */
function decodeWindows1252(bytes: Uint8Array): string {
  const latin1 = new TextDecoder('latin1').decode(bytes);
  return latin1.replace(/[\u0080-\u009f]/g, (c) => CP1252_HIGH[c.charCodeAt(0) - 0x80]!);
}

function looksBinary(bytes: Uint8Array): boolean {
  const n = Math.min(bytes.length, SNIFF_BYTES);
  let controls = 0;
  for (let i = 0; i < n; i++) {
    const b = bytes[i]!;
    // tab, LF, VT, FF, CR and ESC (terminal colour codes in logs) are text
    if (b < 0x20 && b !== 9 && b !== 10 && b !== 11 && b !== 12 && b !== 13 && b !== 27) controls += 1;
  }
  // A few strays (a NUL pasted into a note) do not make a short text binary.
  return controls > Math.max(MIN_CONTROLS, n * MAX_CONTROL_RATIO);
}
