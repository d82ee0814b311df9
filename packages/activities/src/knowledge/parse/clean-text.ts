/**
 * The cleaning step every parsed text goes through, in one linear pass (no regular expression
 * a hostile text could make backtrack): Unicode NFC; CRLF and CR become LF; U+0000 (which
 * PostgreSQL cannot store) and other control characters go; any run of spaces, tabs and Unicode
 * spaces becomes one space; lines lose their leading and trailing spaces; two or more blank lines
 * become one, so paragraphs stay apart; the whole is trimmed.
 */
export function cleanText(raw: string): string {
  // Lone surrogates (a cut emoji) would be stored as U+FFFD anyway; NFC makes equal texts match.
  const text = (raw as string & { toWellFormed(): string }).toWellFormed().normalize('NFC');
  const out: string[] = [];
  let line = '';
  let runStart = -1;
  let pendingSpace = false;
  let blankLines = 0;

  const flushRun = (end: number) => {
    if (runStart < 0) return;
    line += text.slice(runStart, end);
    runStart = -1;
  };
  const endLine = () => {
    if (line === '') {
      if (out.length > 0) blankLines += 1;
    } else {
      if (out.length > 0) out.push(blankLines > 0 ? '\n\n' : '\n');
      out.push(line);
      blankLines = 0;
    }
    line = '';
    pendingSpace = false;
  };

  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const kept = !isSpace(c) && !isDropped(c) && !isNewline(c);
    if (kept) {
      if (runStart < 0) {
        if (pendingSpace) line += ' ';
        pendingSpace = false;
        runStart = i;
      }
      continue;
    }
    flushRun(i);
    if (isNewline(c)) {
      if (c === 0x0d && text.charCodeAt(i + 1) === 0x0a) i += 1;
      endLine();
    } else if (isSpace(c)) {
      pendingSpace = line !== '';
    }
  }
  flushRun(text.length);
  endLine();
  return out.join('');
}

function isNewline(c: number): boolean {
  return c === 0x0a || c === 0x0d || c === 0x2028 || c === 0x2029;
}

function isSpace(c: number): boolean {
  return (
    c === 0x20 || c === 0x09 || c === 0x0b || c === 0x0c || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x202f || c === 0x205f || c === 0x3000
  );
}

/** C0 and C1 controls, the BOM / zero-width no-break space, and the non-characters U+FFFE/U+FFFF. */
function isDropped(c: number): boolean {
  return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c === 0xfeff || c === 0xfffe || c === 0xffff;
}
